"""The HTTP contract of agent-svc (docs/AGENT_API.md): chat request and answer, session history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from em_shared.contracts.agents import Citation


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=4000, description="The question.")]
    session_id: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=64,
                pattern=r"^[A-Za-z0-9_\-]+$",
                description="Continue this session; omitted: a new session starts.",
            ),
        ]
        | None
    ) = None


class ToolRef(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    agent: str
    ok: bool


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class Timing(msgspec.Struct, frozen=True, kw_only=True):
    total_ms: float = 0.0
    model_ms: float = 0.0  # model time on the critical path (classification + slowest agent + synthesis)
    overhead_ms: float = 0.0  # total_ms - model_ms: what agent-svc itself adds to the turn
    # Wall time per stage: session, route, agents, synthesis, store (and agents_overhead: the
    # sub-agent hops' time beyond the slowest agent's model time).
    stages_ms: dict[str, float] = msgspec.field(default_factory=dict)


class ChatAnswer(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    answer: str
    agents: list[str]
    tools: list[ToolRef]
    citations: list[Citation]
    cached: bool = False
    offline: bool = False
    degraded: list[str] = []  # one line per sub-agent that failed or timed out
    usage: Usage = Usage()
    timing: Timing = msgspec.field(default_factory=Timing)


class MessageView(msgspec.Struct, frozen=True, kw_only=True):
    role: str
    content: str
    agents: list[str] = []
    tools: list[ToolRef] = []
    citations: list[Citation] = []
    cached: bool = False
    created_at: datetime


class SessionView(msgspec.Struct, frozen=True, kw_only=True):
    session_id: str
    created_at: datetime
    updated_at: datetime
    summary: str | None = None
    entities: dict[str, str] = {}
    messages: list[MessageView]


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    caller: str
    session_id: str
    agent: str
    tool: str
    args_digest: str
    outcome: str
    latency_ms: float
    error: str | None = None
