"""A service built on the real host whose request and message handlers take seconds: the subject of
the graceful-shutdown test. Run as `python slow_service.py` with NATS_URL, DATABASE_URL, EM_NAMESPACE."""

import asyncio
import os
import tempfile
from pathlib import Path

from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition, run
from em_shared.runtime.logging import configure_logging
from em_shared.runtime.settings import CommonSettings, load_settings
from litestar import get

MIGRATIONS = Path(tempfile.mkdtemp()) / "migrations"
MIGRATIONS.mkdir()
(MIGRATIONS / "0001_marks.sql").write_text(
    "CREATE TABLE marks (what text PRIMARY KEY, at timestamptz DEFAULT now());"
)


async def _mark(ctx: ServiceContext, what: str) -> None:
    assert ctx.pool is not None
    await ctx.pool.execute("INSERT INTO marks (what) VALUES ($1) ON CONFLICT DO NOTHING", what)


@get("/slow")
async def slow(ctx: ServiceContext, seconds: float = 2.0) -> dict[str, str]:
    await _mark(ctx, "request-started")
    await asyncio.sleep(seconds)
    await _mark(ctx, "request-finished")
    return {"finished": "yes"}


async def register(ctx: ServiceContext) -> None:
    async def handle(event: AlertSignal) -> None:
        await _mark(ctx, f"message-started:{event.id}")
        await asyncio.sleep(2.0)
        await _mark(ctx, f"message-finished:{event.id}")

    subscribe_events(ctx.broker, ctx.topology, "slow", S.ALERT_RECEIVED, "slow-alerts", AlertSignal, handle)


if __name__ == "__main__":
    settings = load_settings(CommonSettings)
    configure_logging(settings.log_level, settings.log_format, service="slow-svc")
    definition = ServiceDefinition(
        name="slow",
        version="0.0.1",
        port=int(os.environ["SLOW_PORT"]),
        route_handlers=[slow],
        migrations=MIGRATIONS,
        register=register,
    )
    run(definition, settings)
