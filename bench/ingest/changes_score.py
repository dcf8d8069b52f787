"""Score ingest-svc's CODE-CHANGE and CI normalizers on the held-out cases in changes_heldout/.

Each case runs as the relay runs it: `intake.decode` of the JSON body, then
`SOURCES[source].normalize(Delivery(...), Catalog())`, twice (a second delivery id, dedup header and
arrival time: the ids must not change and no time may come from arrival). Prints per-source and
per-field accuracy and the cases fully right.

    .venv/bin/python -m bench.ingest.changes_score --split dev --explain
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import msgspec
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.intake import decode
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES

from bench.ingest.changes_heldout import CASES
from bench.ingest.changes_heldout.model import Any_, Case, E, Has, Len, NotNone

TIME_FIELDS = {
    "occurred_at",
    "created_at",
    "merged_at",
    "closed_at",
    "first_review_at",
    "first_commit_at",
    "started_at",
    "finished_at",
}
ARRIVALS = (datetime(2031, 1, 1, tzinfo=UTC), datetime(2032, 2, 2, tzinfo=UTC))
DEDUP_HEADERS = {"github": "x-github-delivery", "gitlab": "x-gitlab-event-uuid"}


def split_of(case_id: str) -> str:
    """dev or test, fixed by a hash of the id (recorded before the first scoring run)."""
    return "dev" if int(hashlib.sha256(case_id.encode()).hexdigest()[:8], 16) % 2 == 0 else "test"


def run_case(case: Case, attempt: int) -> list[Any]:
    headers, body = case.delivery()
    source = SOURCES[case.source]
    if case.source in DEDUP_HEADERS:
        headers[DEDUP_HEADERS[case.source]] = f"{case.id}-{attempt}"
    raw = json.dumps(body).encode()
    payload = decode(source, "application/json", raw)
    delivery = Delivery(
        id=f"bench-{case.id}-{attempt}",
        source=case.source,
        instance="default",
        event_type=source.event_type(headers, payload),
        payload=payload,
        received_at=ARRIVALS[attempt],
        headers=headers,
    )
    if not source.handles(delivery.event_type):
        return []
    return source.normalize(delivery, Catalog())


def _instant(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def _view(emitted: Any) -> dict[str, Any]:
    data = msgspec.to_builtins(emitted.event)
    data["_id"] = emitted.event.id
    data["_occurred"] = emitted.event.occurred_at
    commits = data.get("commits") or []
    data["commit_shas"] = [c.get("sha") for c in commits]
    data["commit_times"] = [c.get("committed_at") for c in commits]
    data["commit_authors"] = [c.get("author") for c in commits]
    return data


def _same(name: str, want: Any, got: Any) -> bool:
    if isinstance(want, Any_):
        return any(_same(name, w, got) for w in want.options)
    if isinstance(want, Has):
        return isinstance(got, list) and all(any(_same(name, w, g) for g in got) for w in want.items)
    if isinstance(want, Len):
        return isinstance(got, list) and len(got) == want.n
    if isinstance(want, NotNone):
        return got not in (None, "", [])
    if want is None:
        return got in (None, "", [])
    if name in TIME_FIELDS or name == "commit_times_item":
        try:
            return _instant(want) == _instant(got)
        except ValueError:
            return False
    if name == "commit_times":
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(_same("commit_times_item", w, g) for w, g in zip(want, got, strict=True))
        )
    if isinstance(want, list):
        # element by element, so an item may be a wrapper (`Any_`) too
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(_same(name, w, g) for w, g in zip(want, got, strict=True))
        )
    if isinstance(want, float) and isinstance(got, (int, float)):
        return abs(want - got) < 0.01
    return want == got


def _match(expected: E, views: list[dict[str, Any]], used: set[int]) -> int | None:
    best, best_score = None, -1
    for i, view in enumerate(views):
        if i in used or view["_subject"] != expected.subject:
            continue
        score = sum(_same(k, w, view.get(k)) for k, w in expected.fields.items())
        if score > best_score:
            best, best_score = i, score
    return best


def score_case(case: Case, by_id: dict[str, Case]) -> list[tuple[str, bool, str]]:
    """(check name, passed, detail) for one case."""
    checks: list[tuple[str, bool, str]] = []
    try:
        first = run_case(case, 0)
        second = run_case(case, 1)
    except Exception as exc:  # a normalizer failure fails every check of the case
        return [("runs", False, f"{type(exc).__name__}: {exc}")]
    views = []
    for e in first:
        v = _view(e)
        v["_subject"] = e.subject
        views.append(v)
    got = sorted(v["_subject"] for v in views if v["_subject"].startswith(case.exact_prefixes))
    want = sorted(e.subject for e in case.expect if e.subject.startswith(case.exact_prefixes))
    checks.append(("subjects", got == want, f"want {want} got {got}"))
    used: set[int] = set()
    for expected in case.expect:
        i = _match(expected, views, used)
        if i is None:
            for name in expected.fields:
                checks.append((name, False, f"no {expected.subject} event"))
            continue
        used.add(i)
        view = views[i]
        for name, want_value in expected.fields.items():
            got_value = view.get(name)
            checks.append(
                (name, _same(name, want_value, got_value), f"want {want_value!r} got {got_value!r}")
            )
    ids_first = sorted(e.event.id for e in first)
    ids_second = sorted(e.event.id for e in second)
    checks.append(("id_stable", ids_first == ids_second, "ids change across redelivery"))
    arrival = [e.subject for e in first if e.event.occurred_at.astimezone(UTC) == ARRIVALS[0]]
    checks.append(
        (
            "vendor_time",
            not arrival or (case.source == "jenkins" and "timestamp" not in json.dumps(case.delivery()[1])),
            f"arrival time used by {arrival}",
        )
    )
    for ref, same in ((case.same_id_as, True), (case.other_id_than, False)):
        if ref is None:
            continue
        other = run_case(by_id[ref], 0)
        mine = [e.event.id for e in first if e.subject == case.expect[0].subject] if case.expect else []
        theirs = [e.event.id for e in other if case.expect and e.subject == case.expect[0].subject]
        ok = bool(mine and theirs) and ((mine[0] == theirs[0]) == same)
        checks.append(("same_id" if same else "distinct_id", ok, f"{mine[:1]} vs {ref} {theirs[:1]}"))
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--explain", action="store_true", help="print every failed check")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    by_id = {c.id: c for c in CASES}
    assert len(by_id) == len(CASES), "duplicate case id"
    cases = [c for c in CASES if args.split == "all" or split_of(c.id) == args.split]
    per_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    full: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[str] = []
    for case in cases:
        checks = score_case(case, by_id)
        ok = all(passed for _, passed, _ in checks)
        full[case.source][0] += ok
        full[case.source][1] += 1
        for name, passed, detail in checks:
            per_source[case.source][0] += passed
            per_source[case.source][1] += 1
            per_field[name][0] += passed
            per_field[name][1] += 1
            if not passed and args.explain:
                print(f"MISS {case.id:34} {name:16} {detail}")
        if not ok:
            missed.append(case.id)
    total_ok = sum(v[0] for v in full.values())
    print(f"\nsplit={args.split} cases={len(cases)} fully right={total_ok}/{len(cases)}")
    for source, (ok, n) in sorted(per_source.items()):
        print(f"  {source:10} checks {ok}/{n} = {ok / n:.1%}   cases {full[source][0]}/{full[source][1]}")
    print("  per field:")
    for name, (ok, n) in sorted(per_field.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"    {name:18} {ok}/{n} = {ok / n:.1%}")
    if missed:
        print("  missed cases:", " ".join(missed))
    if args.json:
        print(
            json.dumps({"split": args.split, "cases": len(cases), "fully_right": total_ok, "missed": missed})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
