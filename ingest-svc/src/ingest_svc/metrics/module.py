"""The seam between ingest-svc's wiring (app.py) and the metrics module.

app.py adds `ROUTES` to its HTTP routes and calls `register`, `on_started` and `on_stopping` from
its own hooks; everything else about metrics stays inside this package: its own schema and pool,
its durable consumers, its rpc.metrics.* responders and its periodic task.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from em_shared.contracts.metrics import DoraRolledUp
from em_shared.contracts.subjects import S
from em_shared.runtime.context import ServiceContext
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool, schema_name

from ingest_svc.metrics.api import MetricsController
from ingest_svc.metrics.config import Config
from ingest_svc.metrics.handlers.ingest import Ingestor
from ingest_svc.metrics.handlers.queries import Queries
from ingest_svc.metrics.handlers.rollup import Roller
from ingest_svc.metrics.repository import rollups
from ingest_svc.metrics.subscribers import wire

MIGRATIONS = Path(__file__).parent / "migrations"
ROUTES: list[Any] = [MetricsController]
log = structlog.get_logger("em.metrics")


@dataclass
class MetricsModule:
    """What the module keeps on `ctx.state["metrics"]` (tests use `settle` to wait for quiet)."""

    pool: asyncpg.Pool
    schema: str
    ingestor: Ingestor
    queries: Queries
    roller: Roller
    ctx: ServiceContext
    task: asyncio.Task[None] | None = None
    ticks: int = 0
    last_error: str | None = field(default=None)

    async def tick(self) -> None:
        """Close due attribution windows, rebuild changed rollups, publish their events."""
        await self.roller.close_windows()
        await self.roller.flush()
        await self.roller.publish_outbox(self._publish)
        self.ticks += 1

    async def _publish(self, event: DoraRolledUp) -> None:
        await self.ctx.publisher.publish(S.METRICS_ROLLED_UP, event)

    async def dirty(self) -> int:
        async with self.pool.acquire() as conn:
            return await rollups.dirty_count(conn)

    async def run(self, every_s: float) -> None:
        while True:
            try:
                await self.tick()
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep ticking: a failed tick is retried on the next one
                self.last_error = repr(exc)
                log.exception("metrics tick failed")
            await asyncio.sleep(every_s)


async def register(ctx: ServiceContext) -> None:
    """Open the metrics schema, subscribe to canonical and incident events, serve rpc.metrics.*."""
    settings = ctx.settings
    cfg = Config.from_settings(settings)
    schema = schema_name("metrics", settings.namespace)
    pool = await create_pool(settings.database_url, schema, settings.db_pool_min, settings.db_pool_max)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    module = MetricsModule(
        pool=pool,
        schema=schema,
        ingestor=Ingestor(pool, cfg),
        queries=Queries(pool, cfg),
        roller=Roller(pool, cfg),
        ctx=ctx,
    )
    ctx.state["metrics"] = module
    wire(ctx, module.ingestor, module.queries)

    async def ready() -> str:
        return "ok" if module.last_error is None else f"rollups failing: {module.last_error[:200]}"

    ctx.state.setdefault("ready_checks", {})["metrics"] = ready


async def on_started(ctx: ServiceContext) -> None:
    """Start the periodic task (closing attribution windows, publishing rollups)."""
    module: MetricsModule = ctx.state["metrics"]
    module.task = asyncio.create_task(module.run(module.roller.cfg.tick_s), name="metrics-tick")


async def on_stopping(ctx: ServiceContext) -> None:
    """Stop the periodic task and close the metrics pool."""
    module: MetricsModule | None = ctx.state.get("metrics")
    if module is None:
        return
    if module.task is not None:
        module.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await module.task
    await module.pool.close()
