"""Held-out alert deliveries (written 2026-11-28 from vendor documentation, before reading the
normalizers they score): same format as `alert_cases/`, different payloads and spellings, so the
alert figures are also measured on cases nobody tuned on. Split dev/test by `split_of(id)`."""

from __future__ import annotations

from alert_cases.model import Case, Relation

from . import alertmanager, cloudwatch, datadog, newrelic, pagerduty, sentry

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
