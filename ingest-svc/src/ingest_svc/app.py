"""Wires ingest-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from ingest_svc import __version__
from ingest_svc.settings import IngestSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: IngestSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="ingest",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
