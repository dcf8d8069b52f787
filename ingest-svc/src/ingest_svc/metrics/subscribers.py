"""Subjects -> handlers: the canonical and incident events folded into metrics, and rpc.metrics.*."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.metrics import DoraQuery
from em_shared.contracts.quality import QualityReported
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.rpc import serve_rpc
from em_shared.runtime.context import ServiceContext

from ingest_svc.metrics.handlers.batching import GroupFolder
from ingest_svc.metrics.handlers.ingest import Ingestor
from ingest_svc.metrics.handlers.queries import Queries

RPC_DORA = "rpc.metrics.dora"
RPC_FLOW = "rpc.metrics.flow"
RPC_QUALITY = "rpc.metrics.quality"
PULL_BATCH = 64  # messages per pull request: the most a group-folded batch holds per consumer

# (subject, durable, payload type, Ingestor kind); durables are `ingest-metrics-<what>`. The events of
# a pulled batch (of all six consumers, when they pull together) are folded in one transaction.
EVENTS: tuple[tuple[str, str, type, str], ...] = (
    ("deploy.deployment.*", "ingest-metrics-deployments", DeploymentChanged, "deployment"),
    (S.COMMIT_PUSHED, "ingest-metrics-pushes", CommitsPushed, "push"),
    ("scm.pull_request.*", "ingest-metrics-pull-requests", PullRequestChanged, "pull_request"),
    (f"{S.INCIDENT_PREFIX}.*", "ingest-metrics-incidents", IncidentChanged, "incident"),
    (S.BUILD_FINISHED, "ingest-metrics-builds", BuildFinished, "build"),
    (S.QUALITY_REPORTED, "ingest-metrics-quality", QualityReported, "quality"),
)


def wire(ctx: ServiceContext, ingestor: Ingestor, queries: Queries) -> None:
    group = GroupFolder(ingestor.fold)
    ctx.state["metrics_group_folder"] = group
    for subject, durable, payload, kind in EVENTS:

        async def fold(event: Any, kind: str = kind) -> None:
            await group.submit((kind, event))

        subscribe_events(
            ctx.broker, ctx.topology, "ingest", subject, durable, payload, fold, batch_size=PULL_BATCH
        )

    async def dora(q: DoraQuery) -> dict[str, Any]:
        return await queries.dora(queries.filters(q))

    async def flow(q: DoraQuery) -> dict[str, Any]:
        return await queries.flow(queries.filters(q))

    async def quality(q: DoraQuery) -> dict[str, Any]:
        return await queries.quality(queries.filters(q))

    serve_rpc(ctx.broker, ctx.topology, "ingest", RPC_DORA, DoraQuery, dora)
    serve_rpc(ctx.broker, ctx.topology, "ingest", RPC_FLOW, DoraQuery, flow)
    serve_rpc(ctx.broker, ctx.topology, "ingest", RPC_QUALITY, DoraQuery, quality)
