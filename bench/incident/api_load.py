"""API latency with 20,000 incidents and 200,000 alerts stored (bulk-loaded with COPY).

python bench/incident/api_load.py --incidents 20000 --alerts 200000 --requests 300
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentile, running_service
from replay import ALERTS, SERVICES, VENDORS

STATES = ["triggered"] * 3 + ["acknowledged"] * 2 + ["mitigated"] + ["resolved"] * 10 + ["closed"] * 30
SEVERITIES = ["critical", "high", "high", "medium", "medium", "medium", "low", "low"]


async def load(pool, incidents: int, alerts: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    inc_rows, ids = [], []
    for n in range(incidents):
        iid = uuid.uuid4()
        ids.append(iid)
        state = rng.choice(STATES)
        service = rng.choice(SERVICES)
        opened = t0 + timedelta(minutes=rng.uniform(0, 365 * 24 * 60))
        resolved = opened + timedelta(minutes=30) if state in ("resolved", "closed") else None
        inc_rows.append(
            (
                iid,
                f"{rng.choice(ALERTS)} on {service}",
                state,
                rng.choice(SEVERITIES),
                service,
                f"team-{service[:3]}",
                "production",
                f"service={service}|alert_name=x{n}",
                opened,
                resolved,
                resolved if state == "closed" else None,
                0,
                0,
            )
        )
    cols = (
        "id",
        "title",
        "state",
        "severity",
        "service",
        "team",
        "environment",
        "group_key",
        "opened_at",
        "resolved_at",
        "closed_at",
        "alert_count",
        "firing_count",
    )
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("incidents", records=inc_rows, columns=cols)
        alert_rows, timeline_rows = [], []
        for a in range(alerts):
            iid = ids[a % incidents] if a < incidents else rng.choice(ids)
            vendor = rng.choice(VENDORS)
            at = t0 + timedelta(minutes=rng.uniform(0, 365 * 24 * 60))
            alert_rows.append(
                (
                    uuid.uuid4(),
                    vendor,
                    f"{vendor}-{a}",
                    f"fp{a}",
                    iid,
                    "resolved",
                    "alert",
                    "x",
                    "medium",
                    "service=x",
                    at,
                    at,
                )
            )
        await conn.copy_records_to_table(
            "alerts",
            records=alert_rows,
            columns=(
                "id",
                "vendor",
                "external_id",
                "fingerprint",
                "incident_id",
                "status",
                "title",
                "alert_name",
                "severity",
                "group_key",
                "first_seen_at",
                "last_event_at",
            ),
        )
        for iid in ids:
            for kind in ("opened", "alert_attached", "state_changed"):
                timeline_rows.append((iid, t0, kind, "bench", "auto"))
        await conn.copy_records_to_table(
            "timeline", records=timeline_rows, columns=("incident_id", "at", "kind", "actor", "via")
        )
        await conn.execute(
            "UPDATE incidents i SET alert_count = c.n FROM (SELECT incident_id, count(*) AS n "
            "FROM alerts GROUP BY incident_id) c WHERE c.incident_id = i.id"
        )
        await conn.execute("ANALYZE")
    return ids


async def timed(http: httpx.AsyncClient, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        started = time.perf_counter()
        r = await http.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return out


async def run(incidents: int, alerts: int, requests: int) -> None:
    async with running_service() as bench:
        pool = await bench.connect_db()
        started = time.perf_counter()
        ids = await load(pool, incidents, alerts)
        print(
            f"loaded {incidents} incidents, {alerts} alerts, {3 * incidents} timeline entries with COPY in "
            f"{time.perf_counter() - started:.1f}s"
        )
        await pool.close()
        rng = random.Random(5)
        async with httpx.AsyncClient(base_url=bench.url, timeout=30) as http:
            first = (await http.get("/v1/incidents", params={"limit": 50})).json()
            cursor = first["next_cursor"]
            lists = []
            for i in range(requests):
                q = [
                    "limit=50",
                    "limit=50&state=triggered",
                    f"limit=50&service={rng.choice(SERVICES)}",
                    f"limit=50&team=team-{rng.choice(SERVICES)[:3]}&severity=high",
                    "limit=50&since=2024-06-01T00:00:00Z&until=2024-07-01T00:00:00Z",
                    f"limit=50&cursor={cursor}",
                ][i % 6]
                lists.append(f"/v1/incidents?{q}")
            gets = [f"/v1/incidents/{rng.choice(ids)}" for _ in range(requests)]
            await timed(http, lists[:20] + gets[:20])  # warm-up
            list_ms = await timed(http, lists)
            get_ms = await timed(http, gets)
    print(
        f"GET /v1/incidents (6 filter/page mixes, limit 50) n={len(list_ms)}: p50 {percentile(list_ms, 50):.1f} ms "
        f"p95 {percentile(list_ms, 95):.1f} ms p99 {percentile(list_ms, 99):.1f} ms"
    )
    print(
        f"GET /v1/incidents/{{id}} (alerts, timeline, deployments) n={len(get_ms)}: p50 "
        f"{percentile(get_ms, 50):.1f} ms p95 {percentile(get_ms, 95):.1f} ms p99 {percentile(get_ms, 99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--alerts", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(run(args.incidents, args.alerts, args.requests))


if __name__ == "__main__":
    main()
