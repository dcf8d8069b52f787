"""The metrics module's settings, compiled once: regexes, time zone, windows as timedeltas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from ingest_svc.metrics.domain.buckets import zone
from ingest_svc.metrics.domain.rules import Rules
from ingest_svc.metrics.settings import MetricsSettings

LEAD_MODES = ("commit", "pr_first_commit", "merge")


@dataclass(frozen=True)
class Config:
    rules: Rules
    tz: ZoneInfo
    window: timedelta
    lead_mode: str
    lookback: timedelta
    min_sample: int
    limit: int
    default_range_days: int
    max_range_days: int
    tick_s: float

    @classmethod
    def from_settings(cls, s: MetricsSettings) -> Config:
        if s.metrics_lead_time_start not in LEAD_MODES:
            raise ValueError(f"METRICS_LEAD_TIME_START must be one of {', '.join(LEAD_MODES)}")
        return cls(
            rules=Rules.from_csv(s.metrics_production_patterns, s.metrics_hotfix_patterns),
            tz=zone(s.metrics_time_zone),
            window=timedelta(hours=s.metrics_attribution_window_h),
            lead_mode=s.metrics_lead_time_start,
            lookback=timedelta(hours=s.metrics_first_range_lookback_h),
            min_sample=s.metrics_min_sample,
            limit=s.metrics_drilldown_limit,
            default_range_days=s.metrics_default_range_days,
            max_range_days=s.metrics_max_range_days,
            tick_s=s.metrics_tick_s,
        )
