"""Wires agent-svc: the one place that knows every piece of the service."""

from pathlib import Path

from em_shared.runtime.host import ServiceDefinition

from agent_svc import __version__
from agent_svc.settings import AgentSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(settings: AgentSettings) -> ServiceDefinition:
    return ServiceDefinition(
        name="agent",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
    )
