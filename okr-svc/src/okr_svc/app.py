"""Wires okr-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from okr_svc import __version__
from okr_svc.settings import OkrSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: OkrSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="okr",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
