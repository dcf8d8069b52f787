"""Severity, dedup identity and grouping of alert webhooks, scored on labelled deliveries
(`alert_cases/`: the real fixtures plus variants derived from each vendor's documentation).

Each delivery goes through the real path without servers: ingest-svc's event type and delivery dedup
key (an event type the source does not handle is stored as ignored: nothing comes out; two
deliveries with one key are one delivery), the normalizer for its source,
then incident-svc's `read_signal` with the default rules (the built-in severity map, default
grouping), which gives the mapped severity, the dedup key (vendor, external id) and the grouping
key. Scored: mapped severity, external id, alert name, service, firing/resolved, and pairwise
truths (same alert or not, same incident group or not). A delivery that fails to normalize or
yields no signal fails everything expected of it.

Cases and relations are split dev/test by a hash of their id; fixes are made looking at dev
failures only (`--explain`), test figures are reported blind.

    python bench/incident/alert_quality.py [--cases alert_cases2] [--split all|dev|test] [--explain] [--json]

`--cases` names another case package beside this file (same format): `alert_cases2/` is a held-out
set written from the vendors' documentation before the code it scores was read.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from em_shared.contracts.alerts import AlertSignal
from incident_svc.app import load_rules
from incident_svc.domain.signals import AlertFacts, IntakeRules, read_signal
from incident_svc.settings import IncidentSettings
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES

sys.path.insert(0, str(Path(__file__).parent))
from alert_cases.model import NO_SERVICE, Case, split_of

FIELDS = ("severity", "external_id", "alert_name", "service", "status")
RECEIVED = datetime(2024, 6, 1, tzinfo=UTC)


@dataclass
class Outcome:
    facts: AlertFacts | None
    error: str | None = None
    delivery_key: str = ""  # ingest-svc's delivery dedup key: equal keys are one delivery


def run_case(case: Case, rules: IntakeRules, catalog: Catalog) -> Outcome:
    spec = SOURCES[case.source]
    headers = {k.lower(): v for k, v in case.headers.items()}
    raw = json.dumps(case.body, sort_keys=True).encode()
    key = "sha256:" + hashlib.sha256(raw).hexdigest()
    try:
        event_type = spec.event_type(headers, case.body)
        key = spec.dedup_key(headers, case.body) or key
        if not spec.handles(event_type):  # ingest-svc stores it as ignored and never normalizes it
            return Outcome(None, f"ignored: event type {event_type!r}", key)
        delivery = Delivery(f"d-{case.id}", case.source, "default", event_type, case.body, RECEIVED, headers)
        signals = [e.event for e in spec.normalize(delivery, catalog) if isinstance(e.event, AlertSignal)]
    except Exception as exc:  # a failed delivery is a scored failure, not a crash of the scorer
        return Outcome(None, f"{type(exc).__name__}: {exc}", key)
    if len(signals) <= case.index:
        return Outcome(None, f"{len(signals)} signal(s), wanted #{case.index}", key)
    return Outcome(read_signal(signals[case.index], rules), None, key)


def _actual(facts: AlertFacts, name: str) -> str | None:
    if name == "service":
        return facts.service or NO_SERVICE
    return getattr(facts, name)  # type: ignore[no-any-return]


def _norm(name: str, value: str | None) -> str | None:
    return " ".join(value.split()) if name == "alert_name" and value else value


def score(split: str, explain: bool, package: str = "alert_cases") -> dict[str, dict[str, list[int]]]:
    """vendor -> metric -> [correct, scored]; prints failures of the chosen split when asked."""
    cases, relations = importlib.import_module(package).all_cases()
    rules = load_rules(IncidentSettings())
    catalog = Catalog()
    outcomes = {c.id: run_case(c, rules, catalog) for c in cases}
    by_id = {c.id: c for c in cases}
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def tally(vendor: str, metric: str, ok: bool, why: str) -> None:
        for v in (vendor, "ALL"):
            cell = table[v][metric]
            cell[0] += ok
            cell[1] += 1
        if explain and not ok:
            print(f"  FAIL {metric:<12} {why}")

    for case in cases:
        if split != "all" and split_of(case.id) != split:
            continue
        out = outcomes[case.id]
        tally(case.source, "delivered", out.facts is not None, f"{case.id}: {out.error}")
        for name in FIELDS:
            want = getattr(case.expect, name)
            if want is None:
                continue
            got = _actual(out.facts, name) if out.facts else None
            ok = _norm(name, got) == _norm(name, want)
            tally(case.source, name, ok, f"{case.id}: want {want!r} got {got!r} {case.note}")
    for rel in relations:
        if split != "all" and split_of(rel.id) != split:
            continue
        fa, fb = outcomes[rel.a].facts, outcomes[rel.b].facts
        vendor = by_id[rel.a].source
        for metric, want in (("same_alert", rel.same_alert), ("same_group", rel.same_group)):
            if want is None:
                continue
            if fa is None or fb is None:
                tally(vendor, f"{metric}:{want}", False, f"{rel.id}: a delivery failed")
                continue
            ca, cb = by_id[rel.a], by_id[rel.b]
            one_delivery = ca.body != cb.body and (ca.source, outcomes[rel.a].delivery_key) == (
                cb.source,
                outcomes[rel.b].delivery_key,
            )
            if metric == "same_alert":
                # Two deliveries with one dedup key are one delivery: the second never reaches a normalizer.
                got = one_delivery or (fa.vendor, fa.external_id) == (fb.vendor, fb.external_id)
                detail = f"{fa.external_id!r} vs {fb.external_id!r}" + (
                    " (one delivery key)" if one_delivery else ""
                )
            else:
                got = fa.group_key == fb.group_key
                detail = f"{fa.group_key!r} vs {fb.group_key!r}"
            tally(
                vendor,
                f"{metric}:{want}",
                got == want,
                f"{rel.id}: want {metric}={want} ({detail}) {rel.note}",
            )
    return table


def report(table: dict[str, dict[str, list[int]]]) -> None:
    metrics = sorted({m for row in table.values() for m in row})
    print(f"{'vendor':<13}" + "".join(f"{m:>17}" for m in metrics))
    for vendor in sorted(table, key=lambda v: (v == "ALL", v)):
        row = table[vendor]
        cells = [f"{row[m][0]}/{row[m][1]}" if m in row else "-" for m in metrics]
        print(f"{vendor:<13}" + "".join(f"{c:>17}" for c in cells))
    total = [sum(table["ALL"][m][i] for m in metrics) for i in (0, 1)]
    print(f"overall {total[0]}/{total[1]} = {total[0] / max(total[1], 1):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("all", "dev", "test"), default="all")
    parser.add_argument("--explain", action="store_true", help="print each failure of the split")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cases", default="alert_cases", help="case package beside this file")
    args = parser.parse_args()
    table = score(args.split, args.explain, args.cases)
    if args.json:
        print(json.dumps({v: dict(r) for v, r in table.items()}, sort_keys=True))
    else:
        report(table)


if __name__ == "__main__":
    main()
