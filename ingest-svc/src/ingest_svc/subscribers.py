"""NATS wiring: `rpc.catalog.lookup` and `rpc.ingest.replay` -> their handlers, nothing else."""

from __future__ import annotations

from em_shared.contracts.deliveries import ReplayRequest
from em_shared.contracts.ownership import CatalogLookup
from em_shared.contracts.subjects import S
from em_shared.messaging.rpc import serve_rpc
from em_shared.runtime.context import ServiceContext

from ingest_svc.handlers import CatalogLookups, Replays


def register(ctx: ServiceContext, lookups: CatalogLookups, replays: Replays) -> None:
    serve_rpc(ctx.broker, ctx.topology, "ingest", S.CATALOG_LOOKUP, CatalogLookup, lookups.lookup)
    serve_rpc(ctx.broker, ctx.topology, "ingest", S.INGEST_REPLAY, ReplayRequest, replays.replay)
