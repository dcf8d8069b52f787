"""Settings of the metrics module (DORA definitions: patterns, windows, time zone).

IngestSettings extends this class, so the metrics module reads them from `ctx.settings` and they
appear in docs/configuration.md under ingest-svc. Every definition in docs/metrics.md that has a
knob has it here.
"""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class MetricsSettings(CommonSettings, frozen=True, kw_only=True):
    metrics_production_patterns: Annotated[
        str,
        env(
            "METRICS_PRODUCTION_PATTERNS",
            "Regexes (comma-separated, case-insensitive, full match) of "
            "environment names classified production. `prod`/`production` followed by any separator "
            "count (`prod-eu`, `production_us`, Vercel's `Production - web`, `prod (eu-west-1)`).",
        ),
    ] = "prod,production,prd,live,prod[^a-z0-9].*,production[^a-z0-9].*"
    metrics_hotfix_patterns: Annotated[
        str,
        env(
            "METRICS_HOTFIX_PATTERNS",
            "Regexes (comma-separated, case-insensitive, searched) that mark a "
            "deployment's ref, version or description, or a pull request's branch, label or title, as a hotfix.",
        ),
    ] = r"hotfix,hot-fix,\bemergency\b"
    metrics_time_zone: Annotated[
        str, env("METRICS_TIME_ZONE", "IANA time zone of day/week/month buckets (DST-aware).")
    ] = "UTC"
    metrics_attribution_window_h: Annotated[
        float,
        env(
            "METRICS_ATTRIBUTION_WINDOW_H",
            "Hours after a production deployment in which an incident, "
            "rollback, revert or hotfix marks it failed (closed early by the next deployment).",
        ),
    ] = 24.0
    metrics_lead_time_start: Annotated[
        str,
        env(
            "METRICS_LEAD_TIME_START",
            "Start of a commit's lead time: commit, pr_first_commit or merge "
            "(falls back to the commit time when no pull request is known).",
        ),
    ] = "commit"
    metrics_first_range_lookback_h: Annotated[
        float,
        env(
            "METRICS_FIRST_RANGE_LOOKBACK_H",
            "For a service's first deployment (no previous deployed "
            "commit), how far back pushes to the deployed ref count as its commits.",
        ),
    ] = 168.0
    metrics_min_sample: Annotated[
        int,
        env(
            "METRICS_MIN_SAMPLE",
            "Fewest closed deployments in a bucket for a change failure rate and "
            "rework rate; below it the value is null with reason `insufficient data`.",
        ),
    ] = 5
    metrics_drilldown_limit: Annotated[
        int, env("METRICS_DRILLDOWN_LIMIT", "Most ids listed per figure and bucket in drill-downs.")
    ] = 100
    metrics_default_range_days: Annotated[
        int, env("METRICS_DEFAULT_RANGE_DAYS", "Range of a query without `from` (days before `to`).")
    ] = 90
    metrics_max_range_days: Annotated[
        int, env("METRICS_MAX_RANGE_DAYS", "Longest range a query may ask for.")
    ] = 800
    metrics_tick_s: Annotated[
        float,
        env(
            "METRICS_TICK_S",
            "Seconds between flushes of changed rollups and closings of attribution "
            "windows (pending deployments).",
        ),
    ] = 1.0
