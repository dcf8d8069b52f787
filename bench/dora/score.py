"""Score ingest-svc's DORA figures on the held-out scenarios (bench/dora/heldout/scenarios.yaml).

Each scenario runs in its own namespace on real NATS JetStream and PostgreSQL: its webhooks are decoded
and normalized by ingest-svc's own source table (the relay's path), the canonical events (and the
scenario's incident events) are published to JetStream in arrival order, the metrics module's durable
consumers fold them (we wait for them to settle after each step, so arrival order is real), and the
figures are read over `rpc.metrics.dora`. Per-figure exact-match accuracy is printed (durations within
one second), then the share of checks whose every figure matches.

    flock -x /tmp/em-bench.lock env NATS_URL=... DATABASE_URL=... \
        .venv/bin/python bench/dora/score.py --split dev [--explain] [--only ID]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ingest-svc" / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from em_shared.contracts.base import deterministic_id  # noqa: E402
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot  # noqa: E402
from em_shared.contracts.metrics import DoraQuery  # noqa: E402
from em_shared.contracts.subjects import S  # noqa: E402
from em_shared.runtime.logging import configure_logging  # noqa: E402
from em_shared.testing import cleanup  # noqa: E402
from em_shared.testing.live import live_service  # noqa: E402
from ingest_svc.app import create_service  # noqa: E402
from ingest_svc.domain import intake  # noqa: E402
from ingest_svc.domain.catalog import Catalog, CatalogService  # noqa: E402
from ingest_svc.domain.model import Delivery  # noqa: E402
from ingest_svc.domain.sources import SOURCES  # noqa: E402
from metrics_testkit import ingest_settings, settle  # noqa: E402
from payloads import BUILDERS  # noqa: E402

HELDOUT = Path(__file__).resolve().parent / "heldout"
FIGURES = ("deployments", "lead_median_s", "cfr", "recovery_median_s")
RANGE = (datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


class Servers(msgspec.Struct):
    nats_url: str
    database_url: str


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def incident_event(step: dict[str, Any]) -> tuple[str, IncidentChanged]:
    """An incident-svc lifecycle event, as incident-svc publishes it (the metrics module reads these)."""
    resolved = _time(step["resolved"]) if step.get("resolved") else None
    snap = IncidentSnapshot(
        id=step["id"],
        number=abs(hash(step["id"])) % 10_000,
        title=f"incident {step['id']}",
        state="resolved" if resolved else "triggered",
        severity=step.get("severity", "high"),
        service=step.get("service"),
        environment=step.get("env"),
        opened_at=_time(step["opened"]),
        resolved_at=resolved,
        linked_deployment_ids=step.get("linked", []),
    )
    event = IncidentChanged(
        id=deterministic_id("heldout-incident", step["id"], step["seq"]),
        occurred_at=resolved or snap.opened_at,
        source="incident",
        change=step["change"],
        incident=snap,
        sequence=step["seq"],
    )
    return S.incident(step["change"]), event


def catalog_of(scenario: dict[str, Any]) -> Catalog:
    """The scenario's service catalog (`catalog:`, entries as in EM_SERVICE_CATALOG), else an empty one."""
    return Catalog(msgspec.convert(scenario.get("catalog", []), list[CatalogService]))


def webhook_events(
    sid: str, index: int, step: dict[str, Any], catalog: Catalog | None = None
) -> list[tuple[str, Any]]:
    """Build the vendor webhook, decode and normalize it exactly as ingest-svc's relay does."""
    source_name, headers, body = BUILDERS[step["kind"]](sid, index, step)
    source = SOURCES[source_name]
    raw = msgspec.json.encode(body)
    lowered = {k.lower(): v for k, v in headers.items()}
    payload = intake.decode(source, lowered.get("content-type", "application/json"), raw)
    event_type = source.event_type(lowered, payload)
    if not source.handles(event_type):
        raise ValueError(f"{sid} step {index}: {source_name} does not handle {event_type!r}")
    delivery = Delivery(
        id=deterministic_id("heldout-delivery", sid, index),
        source=source_name,
        instance="default",
        event_type=event_type,
        payload=payload,
        received_at=datetime.now(UTC),
        headers=lowered,
    )
    return [(e.subject, e.event) for e in source.normalize(delivery, catalog or Catalog())]


def steps_of(scenario: dict[str, Any]) -> list[list[tuple[str, Any]]]:
    """Canonical events of each step, in arrival order (a `repeat` redelivers an earlier step)."""
    built: list[list[tuple[str, Any]]] = []
    catalog = catalog_of(scenario)
    for i, step in enumerate(scenario["events"]):
        if step["kind"] == "repeat":
            built.append(built[step["index"]])
        elif step["kind"] == "incident":
            built.append([incident_event(step)])
        else:
            built.append(webhook_events(scenario["id"], i, step, catalog))
    return built


def figures(summary: dict[str, Any]) -> dict[str, Any]:
    cfr = summary["change_failure_rate"]
    return {
        "deployments": summary["deployment_frequency"]["count"],
        "lead_median_s": summary["lead_time"].get("median_s"),
        "cfr": [cfr["failed"], cfr["total"]],
        "recovery_median_s": summary["recovery_time"].get("median_s"),
    }


def same(figure: str, expected: Any, got: Any) -> bool:
    if figure.endswith("_s"):
        if expected is None or got is None:
            return expected is got
        return abs(float(expected) - float(got)) <= 1.0
    return expected == got


async def run_scenario(scenario: dict[str, Any], servers: Servers) -> list[dict[str, Any]]:
    namespace = "h" + hashlib.sha1(scenario["id"].encode()).hexdigest()[:10]
    await drop_namespace(servers, namespace)
    settings = ingest_settings(servers, namespace, **scenario.get("settings", {}))
    steps = steps_of(scenario)
    results = []
    try:
        async with live_service(create_service(settings), settings) as svc:
            for events in steps:
                for subject, event in events:
                    await svc.ctx.publisher.publish(subject, event)
                await settle(svc)
            for check in scenario["checks"]:
                q = dict(check.get("query", {}))
                start = _time(q.pop("from")) if "from" in q else RANGE[0]
                end = _time(q.pop("to")) if "to" in q else RANGE[1]
                reply = await svc.ctx.rpc.call(
                    "rpc.metrics.dora", DoraQuery(start=start, end=end, bucket="month", **q), dict
                )
                results.append({"check": check, "got": figures(reply["summary"]), "raw": reply["summary"]})
    finally:
        await drop_namespace(servers, namespace)
    return results


async def drop_namespace(servers: Servers, namespace: str) -> None:
    await cleanup.drop_namespace(servers.database_url, servers.nats_url, namespace)


def explain(scenario: dict[str, Any], result: dict[str, Any], misses: list[str]) -> None:
    check, got, raw = result["check"], result["got"], result["raw"]
    print(f"\nMISS {scenario['id']} {check.get('query', {}) or ''}: {scenario['title']}")
    print(f"  why: {check['why']}")
    for f in misses:
        print(f"  {f}: expected {check['expect'][f]!r}, got {got[f]!r}")
    cfr, rec, lead = raw["change_failure_rate"], raw["recovery_time"], raw["lead_time"]
    print(f"  deployments {raw['deployment_frequency'].get('deployment_ids')}")
    print(
        f"  failed {cfr.get('deployment_ids')} pending {cfr.get('pending_ids')} incidents {cfr.get('incident_ids')}"
    )
    print(
        f"  lead n={lead.get('n')} {lead.get('reason', '')} recovery n={rec.get('n')} unrecovered={rec.get('unrecovered')}"
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--explain", action="store_true", help="print each miss with the figures behind it")
    ap.add_argument("--only", help="one scenario id")
    ap.add_argument("--set", default="scenarios.yaml", help="a file in bench/dora/heldout/")
    args = ap.parse_args()
    configure_logging("error")  # the figures, not a service start per scenario
    servers = Servers(
        os.environ.get("NATS_URL", "nats://127.0.0.1:4222"),
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    scenarios = [
        s
        for s in yaml.safe_load((HELDOUT / args.set).read_text())
        if (args.split == "all" or s["split"] == args.split) and (not args.only or s["id"] == args.only)
    ]
    hits = dict.fromkeys(FIGURES, 0)
    checks = exact = 0
    for scenario in scenarios:
        for result in await run_scenario(scenario, servers):
            checks += 1
            misses = [f for f in FIGURES if not same(f, result["check"]["expect"][f], result["got"][f])]
            for f in FIGURES:
                hits[f] += f not in misses
            exact += not misses
            if misses and args.explain:
                explain(scenario, result, misses)
    print(f"\n{args.set}, split {args.split}: {len(scenarios)} scenarios, {checks} checks")
    for f in FIGURES:
        print(f"  {f:<18} {hits[f]}/{checks} = {hits[f] / max(checks, 1):.1%}")
    print(
        f"  {'figures overall':<18} {sum(hits.values())}/{checks * len(FIGURES)} = "
        f"{sum(hits.values()) / max(checks * len(FIGURES), 1):.1%}"
    )
    print(f"  {'checks all exact':<18} {exact}/{checks} = {exact / max(checks, 1):.1%}")


if __name__ == "__main__":
    asyncio.run(main())
