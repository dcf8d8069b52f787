"""Webhook accepted -> incident created/updated: the issue's definition, through ingest-svc.

Starts incident-svc and ingest-svc as processes in one fresh namespace, posts Alertmanager webhooks
(`POST /webhooks/alertmanager`, bearer token, one new alert each, so each one is a signal) at a fixed
rate, and polls incident-svc's `alerts` table for each alert's fingerprint (which incident-svc
recomputes from the labels, like Alertmanager). Latency = the moment the alert is visible in
incident-svc (committed, attached) minus the moment ingest-svc answered 2xx. Polling every 10 ms
(the 400 oldest unseen per poll) makes the figures an upper bound.

    python bench/incident/webhook_latency.py --rate 50 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from em_shared.devenv.processes import free_port
from incident_svc.domain.fingerprint import alertmanager_fingerprint

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentile, running_service

TOKEN = "bench-am-token"
SERVICES = ["checkout", "search", "cart", "payments", "auth", "catalog", "shipping", "ledger"]
ALERTS = ["HighErrorRate", "HighLatency", "PodCrashLooping", "DiskFull", "QueueBacklog", "JobFailed"]
POLL_S, POLL_CAP = 0.01, 400


def webhook(i: int) -> tuple[dict, str]:  # type: ignore[type-arg]
    """One firing alert; about 48 groups, so most alerts attach to an open incident."""
    labels = {
        "alertname": ALERTS[i % len(ALERTS)],
        "service": SERVICES[(i // len(ALERTS)) % len(SERVICES)],
        "severity": "warning" if i % 5 else "critical",
        "instance": f"10.1.{i // 250}.{i % 250}:9100",
    }
    body = {
        "receiver": "em-agent",
        "status": "firing",
        "version": "4",
        "groupLabels": {"alertname": labels["alertname"]},
        "commonLabels": labels,
        "commonAnnotations": {"summary": "bench"},
        "externalURL": "http://alertmanager:9093",
        "groupKey": f'{{}}:{{alertname="{labels["alertname"]}"}}',
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": "bench"},
                "startsAt": datetime.now(UTC).isoformat(),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
            }
        ],
    }
    return body, alertmanager_fingerprint(labels)


@contextlib.asynccontextmanager
async def running_ingest(bench):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": bench.nats_url,
        "DATABASE_URL": bench.database_url,
        "EM_NAMESPACE": bench.namespace,
        "INGEST_PORT": str(port),
        "LOG_LEVEL": "warning",
        "EM_WEBHOOK_SECRET_ALERTMANAGER": TOKEN,
    }
    proc = subprocess.Popen([sys.executable, "-m", "ingest_svc"], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as http:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/ready")).status_code == 200:
                        break
                if proc.poll() is not None:
                    raise RuntimeError("ingest-svc exited during startup")
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError("ingest-svc not ready")
            yield http
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        conn = await asyncpg.connect(bench.database_url)
        for schema in ("ingest", "metrics"):  # ingest-svc's own and its metrics module's
            await conn.execute(f'DROP SCHEMA IF EXISTS "{bench.namespace}_{schema}" CASCADE')
        await conn.close()


async def run(rate: float, seconds: float, drain_timeout: float) -> None:
    total = int(rate * seconds)
    async with running_service({"INCIDENT_GROUP_INTERVAL_S": "30"}) as bench, running_ingest(bench) as http:
        pool = await bench.connect_db()
        accepted: dict[str, float] = {}
        seen: dict[str, float] = {}
        rejected = 0
        done = asyncio.Event()

        async def poll() -> None:
            while not (done.is_set() and len(seen) >= len(accepted)):
                waiting = list(itertools.islice((f for f in accepted if f not in seen), POLL_CAP))
                if waiting:
                    rows = await pool.fetch(
                        "SELECT external_id FROM alerts WHERE vendor = 'alertmanager' "
                        "AND external_id = ANY($1::text[]) AND incident_id IS NOT NULL",
                        waiting,
                    )
                    now = time.perf_counter()
                    for r in rows:
                        seen.setdefault(r["external_id"], now)
                await asyncio.sleep(POLL_S)

        answer_ms: list[float] = []

        async def send(i: int) -> None:
            nonlocal rejected
            body, fingerprint = webhook(i)
            due = start + i / rate
            try:
                r = await http.post(
                    "/webhooks/alertmanager", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
                )
            except httpx.HTTPError:
                rejected += 1
                return
            answer_ms.append((time.perf_counter() - due) * 1000)
            if r.status_code // 100 == 2:
                accepted[fingerprint] = time.perf_counter()
            else:
                rejected += 1

        poller = asyncio.create_task(poll())
        start = time.perf_counter()
        inflight: set[asyncio.Task[None]] = set()
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(send(i))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        await asyncio.gather(*inflight)
        sent_s = time.perf_counter() - start
        done.set()
        with contextlib.suppress(TimeoutError):  # report what arrived rather than hang
            await asyncio.wait_for(poller, timeout=drain_timeout)
        drained_s = time.perf_counter() - start
        await pool.close()
    lat = [(seen[f] - accepted[f]) * 1000 for f in accepted if f in seen]
    print(
        f"posted {total} Alertmanager webhooks in {sent_s:.1f}s (offered {rate:.0f}/s), "
        f"{len(accepted)} accepted, {rejected} rejected or failed; {len(seen)} in incidents after "
        f"{drained_s:.1f}s ({len(seen) / drained_s:.0f}/s sustained)"
    )
    print(
        f"ingest-svc answered (from the moment each was due) ms: p50 {percentile(answer_ms, 50):.0f}  "
        f"p95 {percentile(answer_ms, 95):.0f}  p99 {percentile(answer_ms, 99):.0f}"
    )
    print(
        f"webhook accepted -> incident created/updated latency ms: p50 {percentile(lat, 50):.0f}  "
        f"p95 {percentile(lat, 95):.0f}  p99 {percentile(lat, 99):.0f}  max {max(lat, default=0):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, args.drain_timeout))


if __name__ == "__main__":
    main()
