"""Wires incident-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from incident_svc import __version__
from incident_svc.settings import IncidentSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: IncidentSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="incident",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
