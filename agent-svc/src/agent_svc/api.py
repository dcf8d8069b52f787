"""HTTP API of agent-svc (docs/AGENT_API.md): chat with optional SSE streaming, session history,
the agent registry, and the tool audit log for admins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import structlog
from em_shared.contracts.agents import AgentRegistryListing
from em_shared.messaging.errors import ServiceError
from em_shared.runtime.context import ServiceContext
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Stream

from agent_svc.dto import AuditEntry, ChatAnswer, ChatRequest, SessionView

log = structlog.get_logger("agent.api")


_sse_encoder = msgspec.json.Encoder(enc_hook=str)


def _sse(event: str, data: Any) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + _sse_encoder.encode(data) + b"\n\n"


def _caller(ctx: ServiceContext, request: Request[Any, Any, Any], scope: str) -> Any:
    return ctx.state["auth"].authenticate(request.headers.get("authorization"), scope)


class AgentController(Controller):
    path = "/v2"
    tags = ["agent"]

    @post(
        "/agent/chat",
        status_code=200,
        summary="Ask EM Agent a question",
        description="JSON answer by default. With `?stream=true` or `Accept: text/event-stream` the answer "
        "streams as Server-Sent Events: `session`, `route`, `agent`, `tool`, `token`, then `done` "
        "(the full answer, as the JSON body would be) or `error`. Scope: chat.",
    )
    async def chat(
        self,
        ctx: ServiceContext,
        request: Request[Any, Any, Any],
        data: ChatRequest,
        stream: bool = Parameter(default=False, description="Stream the answer as SSE."),
    ) -> Response[ChatAnswer]:
        caller = _caller(ctx, request, "chat")
        handler = ctx.state["chat"]
        if not (stream or "text/event-stream" in request.headers.get("accept", "")):
            return Response(await handler.chat(caller, data))
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()

        async def emit(event: str, payload: dict[str, Any]) -> None:
            queue.put_nowait(_sse(event, payload))

        async def work() -> None:
            try:
                answer = await handler.chat(caller, data, emit)
                queue.put_nowait(_sse("done", answer))
            except ServiceError as exc:
                queue.put_nowait(
                    _sse("error", {"error": exc.code, "detail": exc.message, "status": exc.status})
                )
            except Exception:
                log.exception("streamed chat failed")
                queue.put_nowait(
                    _sse("error", {"error": "internal", "detail": "internal error", "status": 500})
                )
            finally:
                queue.put_nowait(None)

        # The turn completes (and is stored) even if the client goes away mid-stream.
        task = asyncio.create_task(work())
        ctx.state["tasks"].add(task)
        task.add_done_callback(ctx.state["tasks"].discard)

        async def events() -> AsyncIterator[bytes]:
            # Events that queued up while the client was being written to go out in one write: under
            # load that saves a send (a syscall, and the middleware) per event; the bytes are the same.
            while (item := await queue.get()) is not None:
                # One loop iteration's grace: events emitted in the same burst (the route and the
                # agents it starts, a run of tokens) leave in one write instead of one write each.
                await asyncio.sleep(0)
                chunk, end = [item], False
                while not queue.empty():
                    more = queue.get_nowait()
                    if more is None:
                        end = True
                        break
                    chunk.append(more)
                yield b"".join(chunk)
                if end:
                    return

        return Stream(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @get(
        "/agent/sessions/{session_id:str}",
        summary="A session's history",
        description="Messages in order, with agents, tools and citations per answer. Scope: chat (own "
        "sessions; admin: any).",
    )
    async def session(
        self, ctx: ServiceContext, request: Request[Any, Any, Any], session_id: str
    ) -> SessionView:
        caller = _caller(ctx, request, "chat")
        return await ctx.state["chat"].session(caller, session_id)  # type: ignore[no-any-return]

    @get(
        "/agents",
        summary="The sub-agents",
        description="Name, description, version, tools, capabilities "
        "and NATS subject of each sub-agent (also on rpc.agent.registry). Scope: chat.",
    )
    async def agents(self, ctx: ServiceContext, request: Request[Any, Any, Any]) -> AgentRegistryListing:
        _caller(ctx, request, "chat")
        return ctx.state["registry_listing"]  # type: ignore[no-any-return]

    @get(
        "/agent/audit",
        summary="Tool-call audit log",
        description="Newest first; filter by session. Scope: admin.",
    )
    async def audit(
        self,
        ctx: ServiceContext,
        request: Request[Any, Any, Any],
        session_id: str | None = None,
        limit: int = Parameter(default=100, ge=1, le=1000),
    ) -> list[AuditEntry]:
        _caller(ctx, request, "admin")
        await ctx.state["audit_writer"].flush()
        rows = await ctx.state["repo"].audit(session_id, limit)
        return [msgspec.convert({k: v for k, v in r.items() if k != "id"}, AuditEntry) for r in rows]
