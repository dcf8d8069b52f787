"""`rpc.agent.*` messages: sub-agent runs, their tool progress, and the agent registry.

The coordinator in agent-svc sends one `AgentRunRequest` per chosen sub-agent and gets an
`AgentRunResult` back; while a sub-agent works it may publish `ToolProgress` messages on the core
NATS subject named in `progress_subject` (ephemeral, not a stream) so a chat can stream them.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from em_shared.contracts.base import RpcRequest


class AgentRunRequest(RpcRequest, frozen=True, kw_only=True):
    """`rpc.agent.<name>.run`: one question for one sub-agent, with the conversation so far."""

    question: Annotated[str, msgspec.Meta(min_length=1, max_length=8000)]
    session_id: str
    caller: str
    history: list[dict[str, Any]] = []
    role: str = "chat"
    # Entities resolved from this and earlier turns (team, service, incident, window...).
    entities: dict[str, str] = {}
    # Core NATS subject for ToolProgress messages; None: nobody listens.
    progress_subject: str | None = None


class ToolUse(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    agent: str
    ok: bool
    latency_ms: float = 0.0
    error: str | None = None


class ToolProgress(msgspec.Struct, frozen=True, kw_only=True):
    """Published by a sub-agent around each tool call: `phase` is started or finished."""

    agent: str
    tool: str
    phase: str
    ok: bool | None = None
    latency_ms: float | None = None
    error: str | None = None


class Citation(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A source an answer rests on: which agent, which tool, which record."""

    agent: str
    tool: str
    ref: str
    title: str | None = None
    url: str | None = None


class AgentRunResult(msgspec.Struct, frozen=True, kw_only=True):
    agent: str
    answer: str
    tools: list[ToolUse] = []
    citations: list[Citation] = []
    offline: bool = False
    # Time spent waiting for the model on this run, and what it cost.
    model_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class AgentInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    version: str
    tools: list[str]
    subject: str
    capabilities: list[str] = []


class AgentRegistryListing(msgspec.Struct, frozen=True, kw_only=True):
    agents: list[AgentInfo]


class RegistryQuery(RpcRequest, frozen=True, kw_only=True):
    """`rpc.agent.registry`: no parameters."""
