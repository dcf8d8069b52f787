"""Webhook accepted -> incident created/updated: the issue's definition, through ingest-svc.

Starts incident-svc and ingest-svc as processes in one fresh namespace, posts Alertmanager webhooks
(`POST /webhooks/alertmanager`, bearer token, one new alert each, so each one is a signal) at a fixed
rate, open loop (request i is sent when due whatever happened to earlier ones, on an idle keep-alive
connection or a new one), and polls incident-svc's `alerts` table for each alert's fingerprint.
Latency = the moment the alert is visible in incident-svc (committed, attached) minus the moment
ingest-svc answered 2xx. Polling every 10 ms (the 400 oldest unseen per poll) makes the figures an
upper bound. The bench also listens on the signal subject, which splits the latency into ingest-svc's
part (2xx -> the signal on JetStream: its outbox relay) and incident-svc's (JetStream -> committed).

    python bench/incident/webhook_latency.py --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import uvloop
from incident_svc.domain.fingerprint import alertmanager_fingerprint

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "common"))
from harness import Bench, percentile, running_service
from harness import running_ingest as harness_ingest
from rawhttp import Client, raw_request

TOKEN = "bench-am-token"
SERVICES = ["checkout", "search", "cart", "payments", "auth", "catalog", "shipping", "ledger"]
ALERTS = ["HighErrorRate", "HighLatency", "PodCrashLooping", "DiskFull", "QueueBacklog", "JobFailed"]
POLL_S, POLL_CAP = 0.01, 400


def webhook(i: int) -> tuple[dict, str]:  # type: ignore[type-arg]
    """One firing alert; about 48 groups, so most alerts attach to an open incident. Like
    Alertmanager's own deliveries, each alert carries its fingerprint."""
    labels = {
        "alertname": ALERTS[i % len(ALERTS)],
        "service": SERVICES[(i // len(ALERTS)) % len(SERVICES)],
        "severity": "warning" if i % 5 else "critical",
        "instance": f"10.1.{i // 250}.{i % 250}:9100",
    }
    fingerprint = alertmanager_fingerprint(labels)
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
                "fingerprint": fingerprint,
            }
        ],
    }
    return body, fingerprint


def running_ingest(bench: Bench) -> contextlib.AbstractAsyncContextManager[int]:
    return harness_ingest(bench, {"EM_WEBHOOK_SECRET_ALERTMANAGER": TOKEN})


async def run(rate: float, seconds: float, drain_timeout: float, max_connections: int) -> None:
    total = int(rate * seconds)
    async with running_service({"INCIDENT_GROUP_INTERVAL_S": "30"}) as bench, running_ingest(bench) as port:
        prepared = []
        for i in range(total):
            body, fingerprint = webhook(i)
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            request = raw_request(
                "/webhooks/alertmanager", headers, json.dumps(body).encode(), f"127.0.0.1:{port}"
            )
            prepared.append((request, fingerprint))
        client = Client("127.0.0.1", port, max_connections)
        pool = await bench.connect_db()
        accepted: dict[str, float] = {}
        unseen: dict[str, None] = {}  # accepted, not yet in an incident; insertion (= accept) order
        seen: dict[str, float] = {}
        on_stream: dict[str, float] = {}
        answer_ms: list[float] = []
        statuses: dict[int, int] = {}
        done = asyncio.Event()

        async def on_signal(msg) -> None:  # type: ignore[no-untyped-def]
            on_stream.setdefault(json.loads(msg.data)["external_id"], time.perf_counter())

        sub = await bench.nc.subscribe(bench.topology.subject("alert.signal.received"), cb=on_signal)

        async def poll() -> None:
            while not (done.is_set() and not unseen):
                waiting: list[str] = []
                for f in unseen:
                    waiting.append(f)
                    if len(waiting) >= POLL_CAP:
                        break
                if waiting:
                    rows = await pool.fetch(
                        "SELECT external_id FROM alerts WHERE vendor = 'alertmanager' "
                        "AND external_id = ANY($1::text[]) AND incident_id IS NOT NULL",
                        waiting,
                    )
                    now = time.perf_counter()
                    for r in rows:
                        seen[r["external_id"]] = now
                        unseen.pop(r["external_id"], None)
                await asyncio.sleep(POLL_S)

        async def send(request: bytes, fingerprint: str, due: float) -> None:
            status = await client.send(request)
            now = time.perf_counter()
            answer_ms.append((now - due) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if status // 100 == 2:
                accepted[fingerprint] = now
                if fingerprint not in seen:
                    unseen[fingerprint] = None

        cpu0 = time.process_time()
        poller = asyncio.create_task(poll())
        start = time.perf_counter()
        inflight: set[asyncio.Task[None]] = set()
        late = capped = 0
        for i, (request, fingerprint) in enumerate(prepared):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.005:
                late += 1  # the generator itself fell behind (latency still counts from `due`)
            if client.saturated:
                capped += 1  # would exceed the connection cap: counted as failed
                continue
            task = asyncio.create_task(send(request, fingerprint, due))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        await asyncio.gather(*inflight)
        sent_s = time.perf_counter() - start
        done.set()
        with contextlib.suppress(TimeoutError):  # report what arrived rather than hang
            await asyncio.wait_for(poller, timeout=drain_timeout)
        drained_s = time.perf_counter() - start
        generator_cpu = time.process_time() - cpu0
        await sub.unsubscribe()
        client.close()
        await pool.close()
    ok = [f for f in accepted if f in seen]
    lat = [(seen[f] - accepted[f]) * 1000 for f in ok]
    relay = [(on_stream[f] - accepted[f]) * 1000 for f in ok if f in on_stream]
    intake = [(seen[f] - on_stream[f]) * 1000 for f in ok if f in on_stream]
    rejected = sum(n for s, n in statuses.items() if s // 100 != 2) + capped
    print(
        f"posted {total} Alertmanager webhooks in {sent_s:.1f}s (offered {rate:.0f}/s; generator late "
        f"{late}, CPU {generator_cpu:.1f}s, {client.open} connections), {len(accepted)} accepted, "
        f"{rejected} rejected or failed {dict(sorted(statuses.items()))}; {len(seen)} in incidents after "
        f"{drained_s:.1f}s ({len(seen) / drained_s:.0f}/s sustained)"
    )

    def figures(values: list[float]) -> str:
        return (
            f"p50 {percentile(values, 50):.0f}  p95 {percentile(values, 95):.0f}  "
            f"p99 {percentile(values, 99):.0f}  max {max(values, default=0):.0f}"
        )

    print(f"ingest-svc answered (from the moment each was due) ms: {figures(answer_ms)}")
    print(f"webhook accepted -> incident created/updated latency ms: {figures(lat)}")
    print(f"  of which accepted -> signal on JetStream (ingest-svc relay) ms: {figures(relay)}")
    print(f"  of which signal on JetStream -> incident (incident-svc) ms: {figures(intake)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    parser.add_argument("--max-connections", type=int, default=256)
    args = parser.parse_args()
    uvloop.run(run(args.rate, args.seconds, args.drain_timeout, args.max_connections))


if __name__ == "__main__":
    main()
