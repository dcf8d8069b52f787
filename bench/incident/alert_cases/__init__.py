"""Labelled alert deliveries per vendor for `alert_quality.py`: real fixtures and variants derived
from each vendor's documentation, with the severity, identity and grouping they should produce."""

from __future__ import annotations

from . import alertmanager, cloudwatch, datadog, newrelic, pagerduty, sentry
from .model import Case, Relation, collect

VENDORS = (pagerduty, sentry, datadog, newrelic, alertmanager, cloudwatch)


def all_cases() -> tuple[list[Case], list[Relation]]:
    return collect(VENDORS)
