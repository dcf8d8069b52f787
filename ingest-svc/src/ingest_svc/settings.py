"""ingest-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class IngestSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("INGEST_PORT", "HTTP port of ingest-svc.")] = 8000
