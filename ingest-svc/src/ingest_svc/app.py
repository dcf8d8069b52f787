"""Wires ingest-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition

from ingest_svc import __version__
from ingest_svc.metrics import module as metrics
from ingest_svc.settings import IngestSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: IngestSettings) -> ServiceDefinition:
    async def register(ctx: ServiceContext) -> None:
        await metrics.register(ctx)

    async def on_started(ctx: ServiceContext) -> None:
        await metrics.on_started(ctx)

    async def on_stopping(ctx: ServiceContext) -> None:
        await metrics.on_stopping(ctx)

    return ServiceDefinition(
        name="ingest",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=[*metrics.ROUTES],
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
    )
