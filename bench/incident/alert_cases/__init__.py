"""Labelled alert deliveries per vendor for `alert_quality.py`: real fixtures and variants derived
from each vendor's documentation, with the severity, identity and grouping they should produce."""

from __future__ import annotations

from . import alertmanager, cloudwatch, datadog, newrelic, pagerduty, sentry
from .model import Case, Relation

VENDORS = (pagerduty, sentry, datadog, newrelic, alertmanager, cloudwatch)


def all_cases() -> tuple[list[Case], list[Relation]]:
    cases: list[Case] = []
    relations: list[Relation] = []
    for vendor in VENDORS:
        c, r = vendor.cases()
        cases += c
        relations += r
    ids = [c.id for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate case ids: {sorted(dupes)}")
    missing = {x for r in relations for x in (r.a, r.b)} - set(ids)
    if missing:
        raise ValueError(f"relations name unknown cases: {sorted(missing)}")
    return cases, relations
