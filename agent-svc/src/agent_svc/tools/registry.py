"""The tool registry: what a tool is, and the one path every tool call takes.

A call is checked against the agent's allowance and the caller's role, its arguments validated
against the tool's type, sent as a NATS request to the owner, its result size-bounded and fenced
as untrusted data, and written to the audit log, whatever the outcome. A service that is down
becomes a typed error the model reads, never an exception.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from em_shared.contracts.agents import Citation
from em_shared.messaging.errors import RpcFailure

from agent_svc.domain.bounding import bound_json
from agent_svc.domain.fencing import fence
from agent_svc.llm.structured import json_schema
from agent_svc.llm.types import ToolCall, ToolSpec

RpcCall = Callable[[str, bytes, float], Awaitable[Any]]
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args_type: type[msgspec.Struct]
    subject: str
    to_request: Callable[[Any], msgspec.Struct]
    cite: Callable[[Any], list[dict[str, Any]]] = lambda _: []
    # Narrows the owner's answer when the model asks for more than the owner's filters express.
    refine: Callable[[Any, Any], Any] = lambda _args, result: result
    roles: frozenset[str] = frozenset({"chat", "admin"})
    read_only: bool = True

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(name=self.name, description=self.description, parameters=json_schema(self.args_type))


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    caller: str
    session_id: str
    agent: str
    tool: str
    args_digest: str
    outcome: str  # ok | denied | invalid | unavailable | error
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class ToolContext:
    agent: str
    allowed: frozenset[str]
    role: str
    caller: str
    session_id: str


@dataclass(frozen=True)
class ToolOutcome:
    name: str
    ok: bool
    content: str  # fenced JSON for the model
    outcome: str
    latency_ms: float
    error: str | None = None
    result: Any = None
    citations: list[Citation] = field(default_factory=list)


def args_digest(arguments: dict[str, Any]) -> str:
    canonical = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class ToolRegistry:
    def __init__(
        self,
        tools: tuple[Tool, ...],
        rpc_call: RpcCall,
        audit: Callable[[AuditRecord], Any],
        max_result_bytes: int = 8000,
        timeout_s: float = 5.0,
    ) -> None:
        self.tools = {t.name: t for t in tools}
        self._specs = {t.name: t.spec for t in tools}  # built once: schemas do not change at run time
        self._rpc = rpc_call
        self._audit = audit
        self._max_bytes = max_result_bytes
        self._timeout = timeout_s

    def specs(self, names: tuple[str, ...] | frozenset[str], role: str) -> list[ToolSpec]:
        return [self._specs[n] for n in names if n in self.tools and role in self.tools[n].roles]

    def _reply(
        self,
        call: ToolCall,
        ctx: ToolContext,
        started: float,
        outcome: str,
        payload: Any,
        error: str | None = None,
        result: Any = None,
        citations: list[Citation] | None = None,
    ) -> ToolOutcome:
        latency = (time.perf_counter() - started) * 1000
        self._audit(
            AuditRecord(
                caller=ctx.caller,
                session_id=ctx.session_id,
                agent=ctx.agent,
                tool=call.name,
                args_digest=args_digest(call.arguments),
                outcome=outcome,
                latency_ms=latency,
                error=error,
            )
        )
        content = fence(json.dumps(payload, default=str, ensure_ascii=False), f"tool:{call.name}")
        return ToolOutcome(
            call.name, outcome == "ok", content, outcome, latency, error, result, citations or []
        )

    async def execute(self, call: ToolCall, ctx: ToolContext) -> ToolOutcome:
        started = time.perf_counter()
        tool = self.tools.get(call.name)
        if tool is None or call.name not in ctx.allowed or ctx.role not in tool.roles or not tool.read_only:
            # Refused before anything runs: the model learns the tool is not available to it.
            message = f"tool {call.name!r} is not available to the {ctx.agent} agent"
            return self._reply(
                call, ctx, started, "denied", {"error": {"code": "denied", "message": message}}, message
            )
        try:
            args = msgspec.convert(call.arguments, tool.args_type)
        except msgspec.ValidationError as exc:
            message = f"invalid arguments: {exc}"
            return self._reply(
                call, ctx, started, "invalid", {"error": {"code": "invalid", "message": message}}, message
            )
        try:
            result = await self._rpc(tool.subject, _encoder.encode(tool.to_request(args)), self._timeout)
        except RpcFailure as exc:
            outcome = "unavailable" if exc.code == "unavailable" else "error"
            message = f"{tool.subject}: {exc.message}"
            return self._reply(
                call, ctx, started, outcome, {"error": {"code": exc.code, "message": message}}, message
            )
        result = tool.refine(args, result)
        bounded, cut = bound_json(result, self._max_bytes)
        citations = [Citation(agent=ctx.agent, tool=call.name, **c) for c in tool.cite(result)][:10]
        return self._reply(
            call, ctx, started, "ok", bounded, "result truncated" if cut else None, result, citations
        )
