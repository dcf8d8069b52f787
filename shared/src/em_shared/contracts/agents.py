"""`rpc.agent.*` messages: sub-agent runs and the agent registry."""

from __future__ import annotations

from typing import Any

import msgspec

from em_shared.contracts.base import RpcRequest


class AgentRunRequest(RpcRequest, frozen=True, kw_only=True):
    """`rpc.agent.<name>.run`: one question for one sub-agent, with the conversation so far."""

    question: str
    session_id: str
    caller: str
    history: list[dict[str, Any]] = []
    role: str = "chat"


class ToolUse(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    agent: str
    ok: bool
    latency_ms: float = 0.0
    error: str | None = None


class AgentRunResult(msgspec.Struct, frozen=True, kw_only=True):
    agent: str
    answer: str
    tools: list[ToolUse] = []
    citations: list[dict[str, Any]] = []
    offline: bool = False


class AgentInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    version: str
    tools: list[str]
    subject: str


class AgentRegistryListing(msgspec.Struct, frozen=True, kw_only=True):
    agents: list[AgentInfo]


class RegistryQuery(RpcRequest, frozen=True, kw_only=True):
    """`rpc.agent.registry`: no parameters."""
