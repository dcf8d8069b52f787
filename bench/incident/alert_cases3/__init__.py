"""Third blind round of alert deliveries (written 2026-11-28, session 5, from the real fixtures in
`tests/fixtures/webhooks` and the vendors' documentation, before the normalizers and the severity
code were read): severity conventions real teams use (PagerDuty priorities P1-P5 and renamed ones,
Sentry level and issue priority, Datadog `$ALERT_PRIORITY` and severity tags in many spellings, New
Relic priorities and the legacy `severity`, Alertmanager mixin labels, CloudWatch alarm naming).
Same format as `alert_cases/`; split dev/test by `split_of(id)`."""

from __future__ import annotations

from alert_cases.model import Case, Relation, collect

from . import alertmanager, cloudwatch, datadog, later, newrelic, pagerduty, sentry

VENDORS = (pagerduty, sentry, datadog, newrelic, alertmanager, cloudwatch, later)


def all_cases() -> tuple[list[Case], list[Relation]]:
    return collect(VENDORS)
