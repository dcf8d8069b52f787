"""Wires agent-svc: the one place that knows every piece of the service."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import uuid
from pathlib import Path
from typing import Any

import msgspec
from em_shared.contracts.agents import AgentRegistryListing, AgentRunRequest, AgentRunResult, ToolProgress
from em_shared.contracts.subjects import SUB_AGENTS, S
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition

from agent_svc import __version__, subscribers
from agent_svc.agents.runner import AgentRunner
from agent_svc.agents.specs import SPECS
from agent_svc.api import AgentController
from agent_svc.auth import Authenticator, parse_api_keys
from agent_svc.domain.ratelimit import RateLimiter
from agent_svc.handlers.chat import ChatHandler
from agent_svc.handlers.coordinator import Coordinator
from agent_svc.llm.factory import build_chain
from agent_svc.repository import AnswerCache, BufferedWriter, ConversationRepository
from agent_svc.settings import AgentSettings
from agent_svc.tools.catalog import READ_TOOLS
from agent_svc.tools.registry import ToolRegistry

MIGRATIONS = Path(__file__).parent / "migrations"
AUDIT_COLUMNS = ("caller", "session_id", "agent", "tool", "args_digest", "outcome", "latency_ms", "error")
LLM_COLUMNS = (
    "provider",
    "model",
    "purpose",
    "session_id",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "latency_ms",
    "outcome",
    "error",
)
_encoder = msgspec.json.Encoder()
_progress_decoder = msgspec.json.Decoder(ToolProgress)


async def _keep_session(conn: Any) -> None:
    """Pool release without asyncpg's reset query (one round trip per query saved). Safe here:
    agent-svc never changes session state (no SET, LISTEN, advisory locks or cursors), and asyncpg
    still rolls back a transaction left open before this runs."""


def create_service(settings: AgentSettings, tools: tuple[Any, ...] = READ_TOOLS) -> ServiceDefinition:
    keys = parse_api_keys(settings.api_keys)  # a malformed EM_API_KEYS stops startup, naming the entry

    async def register(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        nc = ctx.broker.connection
        repo = ConversationRepository(ctx.pool)
        cache = AnswerCache(ctx.pool, settings.cache_ttl_s)
        audit_writer = BufferedWriter(ctx.pool, "tool_audit", AUDIT_COLUMNS)
        llm_writer = BufferedWriter(ctx.pool, "llm_calls", LLM_COLUMNS)
        chain = build_chain(settings, llm_writer.add)
        registry = ToolRegistry(
            tools, ctx.rpc.call_raw, audit_writer.add, settings.tool_result_max_bytes, settings.tool_timeout_s
        )

        async def publish_progress(subject: str, progress: ToolProgress) -> None:
            await nc.publish(subject, _encoder.encode(progress))

        runners = {
            name: AgentRunner(
                SPECS[name],
                chain,
                registry,
                settings.agent_max_steps,
                settings.llm_max_tokens,
                publish_progress,
                ctx.topology.subject(S.AGENT_PROGRESS),
            )
            for name in SUB_AGENTS
            if name in SPECS
        }
        listing = AgentRegistryListing(agents=[SPECS[n].info() for n in runners])
        responders = await subscribers.register(
            ctx, runners, listing, cache.bump_epoch, settings.agent_concurrency, settings.serve_subagents
        )

        async def call_agent(name: str, request: AgentRunRequest, timeout_s: float) -> AgentRunResult:
            return await ctx.rpc.call(S.agent_run(name), request, AgentRunResult, timeout_s=timeout_s)

        # Tool progress of streamed turns: one subscription per process (this instance's prefix),
        # dispatched by turn subject, instead of a subscription made and dropped on every turn.
        progress_prefix = f"{ctx.topology.subject(S.AGENT_PROGRESS)}.{uuid.uuid4().hex[:12]}"
        listeners: dict[str, Any] = {}

        async def on_progress(msg: Any) -> None:
            handler = listeners.get(msg.subject)
            if handler is not None:
                await handler(_progress_decoder.decode(msg.data))

        await nc.subscribe(f"{progress_prefix}.*", cb=on_progress)

        async def listen(subject: str, handler: Any) -> Any:
            listeners[subject] = handler

            async def stop() -> None:
                listeners.pop(subject, None)

            return stop

        coordinator = Coordinator(
            chain,
            call_agent,
            listen,
            progress_prefix,
            settings.agent_timeout_s,
            settings.llm_max_tokens,
        )
        ctx.state.update(
            repo=repo,
            cache=cache,
            chain=chain,
            registry=registry,
            runners=runners,
            registry_listing=listing,
            audit_writer=audit_writer,
            llm_writer=llm_writer,
            tasks=set(),
            responders=responders,
            chat=ChatHandler(repo, cache, coordinator, chain, settings.history_max_messages),
            auth=Authenticator(keys, RateLimiter(settings.rate_per_minute, settings.rate_burst)),
        )

    async def on_started(ctx: ServiceContext) -> None:
        # The vendor SDKs import ~275k long-lived objects (type models); a full collection scanning
        # them paused the event loop for ~0.3 s, stalling every open chat at once. Freezing what
        # startup built takes it out of the collector's scans; per-request garbage is still collected.
        gc.collect()
        gc.freeze()
        ctx.state["audit_writer"].start()
        ctx.state["llm_writer"].start()

    async def on_stopping(ctx: ServiceContext) -> None:
        # Streamed turns still running finish and are stored before the pool closes.
        pending = list(ctx.state["tasks"])
        if pending:
            await asyncio.wait(pending, timeout=settings.shutdown_grace_s)
        with contextlib.suppress(TimeoutError):  # a summary still running is made on the next turn
            await asyncio.wait_for(ctx.state["chat"].settle(), timeout=settings.shutdown_grace_s)
        # Sub-agent runs other instances asked for finish before the pool closes.
        for responder in ctx.state["responders"]:
            await responder.stop(settings.shutdown_grace_s)
        await ctx.state["audit_writer"].stop()
        await ctx.state["llm_writer"].stop()
        await ctx.state["chain"].aclose()

    return ServiceDefinition(
        name="agent",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=[AgentController],
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
        pool_options={"reset": _keep_session},
    )
