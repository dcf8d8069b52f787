"""Subjects -> handlers: each sub-agent on rpc.agent.<name>.run, the registry on rpc.agent.registry,
and incident/metrics events that make cached answers stale.

Sub-agent runs are on every chat turn's critical path, so they are answered on plain core NATS
(`CoreResponder`) rather than through faststream, whose per-message machinery (dependency
injection resolving the message in a worker thread, middlewares) cost more than the hop itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from em_shared.contracts.agents import AgentRegistryListing, AgentRunRequest, AgentRunResult, RegistryQuery
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.rpc import CoreResponder, serve_rpc
from em_shared.runtime.context import ServiceContext

from agent_svc.agents.runner import AgentRunner

SERVICE = "agent"


class DataChanged(msgspec.Struct, frozen=True, kw_only=True):
    """Any event of the watched streams; only its arrival matters."""

    id: str


def _runner(runner: AgentRunner) -> Callable[[AgentRunRequest], Awaitable[AgentRunResult]]:
    return runner.run


async def register(
    ctx: ServiceContext,
    runners: dict[str, AgentRunner],
    listing: AgentRegistryListing,
    on_data_changed: Callable[[], Awaitable[None]],
    concurrency: int = 200,
    serve_subagents: bool = True,
) -> list[CoreResponder]:
    """Registers everything; returns the sub-agent responders, already answering, to stop on shutdown
    (none when this process is a chat front end only and other processes run the sub-agents)."""
    responders = [
        CoreResponder(
            ctx.broker.connection,
            ctx.topology,
            SERVICE,
            S.agent_run(name),
            AgentRunRequest,
            _runner(runner),
            max_workers=concurrency,
        )
        for name, runner in runners.items()
        if serve_subagents
    ]
    for responder in responders:
        await responder.start()

    async def registry(_: RegistryQuery) -> AgentRegistryListing:
        return listing

    serve_rpc(ctx.broker, ctx.topology, SERVICE, S.AGENT_REGISTRY, RegistryQuery, registry)

    async def changed(_: DataChanged) -> None:
        await on_data_changed()

    subscribe_events(
        ctx.broker, ctx.topology, SERVICE, "incident.>", "agent-cache-incidents", DataChanged, changed
    )
    subscribe_events(
        ctx.broker, ctx.topology, SERVICE, "metrics.>", "agent-cache-metrics", DataChanged, changed
    )
    return responders
