"""Settings of the metrics module (DORA definitions: patterns, windows, time zone).

IngestSettings extends this class, so the metrics module reads them from `ctx.settings` and they
appear in docs/configuration.md under ingest-svc.
"""

from em_shared.runtime.settings import CommonSettings


class MetricsSettings(CommonSettings, frozen=True, kw_only=True):
    pass
