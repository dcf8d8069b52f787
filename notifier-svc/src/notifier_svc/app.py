"""Wires notifier-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from notifier_svc import __version__
from notifier_svc.settings import NotifierSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: NotifierSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="notifier",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
