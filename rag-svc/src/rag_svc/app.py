"""Wires rag-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from rag_svc import __version__
from rag_svc.settings import RagSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: RagSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="rag",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
