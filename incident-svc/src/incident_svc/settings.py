"""incident-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class IncidentSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("INCIDENT_PORT", "HTTP port of incident-svc.")] = 8001
