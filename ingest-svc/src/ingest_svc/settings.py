"""ingest-svc settings: the shared ones, the metrics module's, and this service's own."""

from typing import Annotated

from em_shared.runtime.settings import env

from ingest_svc.metrics.settings import MetricsSettings


class IngestSettings(MetricsSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("INGEST_PORT", "HTTP port of ingest-svc.")] = 8000
