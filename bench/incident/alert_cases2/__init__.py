"""Held-out alert deliveries (written 2026-11-28 from vendor documentation, before reading the
normalizers they score): same format as `alert_cases/`, different payloads and spellings, so the
alert figures are also measured on cases nobody tuned on. Split dev/test by `split_of(id)`."""

from __future__ import annotations

from alert_cases.model import Case, Relation, collect

from . import alertmanager, cloudwatch, datadog, newrelic, pagerduty, sentry

VENDORS = (pagerduty, sentry, datadog, newrelic, alertmanager, cloudwatch)


def all_cases() -> tuple[list[Case], list[Relation]]:
    return collect(VENDORS)
