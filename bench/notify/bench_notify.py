"""Notifier latency: IncidentChanged(opened) published -> chat.postMessage at the fake Slack.

Publishes incidents at a fixed rate (default 50/s) into a live notifier-svc (real NATS, PostgreSQL,
slack_sdk, HTTP to the fake Slack) and prints p50/p95/p99 of two intervals per incident: until the
fake Slack receives the call, and until its answer is sent (the API call completing). Run twice:
without and with 200 ms of added Slack latency.

    NATS_URL=... DATABASE_URL=... .venv/bin/python bench/notify/bench_notify.py [--rate 50] [--seconds 10]

The fake Slack runs in its own process (Slack is remote; sharing the notifier's event loop would
bill its JSON parsing to the notifier), and times are wall-clock on both sides of the process boundary.

Routing sends each of 100 services to its own channel: Slack allows ~1 message/s per channel, so
50 incidents/s into one channel would queue by design, not measure the notifier.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import nats
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from em_shared.contracts.subjects import S, Topology
from em_shared.messaging.publisher import EventPublisher
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from em_shared.testing.servers import TestServers
from notifier_svc.app import create_service
from notifier_svc.settings import NotifierSettings

FAKE_SLACK = Path(__file__).resolve().parents[2] / "notifier-svc" / "tests" / "fake_slack.py"

SERVICES = 100


def routing_file() -> str:
    lines = ["default_channel: '#incidents'", "rules:"]
    for i in range(SERVICES):
        lines += [f"  - match: {{service: svc-{i}}}", f"    channel: '#svc-{i}'"]
    path = Path(tempfile.mkdtemp()) / "routing.yaml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def event(run: str, n: int) -> IncidentChanged:
    incident = IncidentSnapshot(
        id=deterministic_id(run, n),
        number=n,
        title=f"Bench incident {n}",
        state="triggered",
        severity="high",
        service=f"svc-{n % SERVICES}",
        team="bench",
        opened_at=datetime.now(UTC),
        source_links=["https://grafana.example/d/x"],
    )
    return IncidentChanged(
        id=deterministic_id(run, n, "opened"),
        occurred_at=datetime.now(UTC),
        source="bench",
        change="opened",
        incident=incident,
        sequence=1,
    )


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def start_fake_slack(latency_s: float) -> tuple[asyncio.subprocess.Process, str]:
    port_file = Path(tempfile.mkdtemp()) / "port"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(FAKE_SLACK), str(port_file), "xoxb-bench", str(latency_s)
    )
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        await asyncio.sleep(0.05)
    raise TimeoutError("fake Slack did not start")


async def recorded_posts(base: str, want: int, timeout_s: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base) as http:
        while True:
            calls = (await http.get("/_fake/calls")).json()
            posts = [c for c in calls if c["method"] == "chat.postMessage" and c["status"] == 200]
            if len(posts) >= want or time.monotonic() > deadline:
                return posts
            await asyncio.sleep(0.2)


async def run_once(servers: TestServers, rate: float, seconds: float, latency_s: float) -> dict[str, float]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    proc, base = await start_fake_slack(latency_s)
    settings = load_settings(
        NotifierSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        slack_api_url=f"{base}/api/",
        routing_rules_file=routing_file(),
        log_level="warning",
    )
    total = int(rate * seconds)
    published: dict[str, float] = {}
    try:
        async with live_service(create_service(settings), settings):
            nc = await nats.connect(servers.nats_url)
            publisher = EventPublisher(nc.jetstream(), Topology(namespace), "bench")
            events = [event(namespace, n) for n in range(total)]
            cpu_before = time.process_time()
            start = time.perf_counter()
            for n, e in enumerate(events):
                # Open-loop arrivals: each publish at its scheduled time, whatever the notifier is doing.
                delay = start + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                published[e.incident.id] = time.time()
                await publisher.publish(S.incident("opened"), e)
            posts = await recorded_posts(base, total)
            # CPU of this process (notifier + publisher) per incident: a figure machine load does not skew.
            cpu_per_incident = (time.process_time() - cpu_before) / total
            await nc.drain()
    finally:
        proc.terminate()
        await proc.wait()
        await _cleanup(servers, namespace)
    received, completed = [], []
    for call in posts:
        incident_id = call["params"]["blocks"][-1]["elements"][0]["value"]
        received.append(call["wall_at"] - published[incident_id])
        completed.append(call["wall_answered_at"] - published[incident_id])
    return {
        "count": len(received),
        "recv_p50": pct(received, 50),
        "recv_p95": pct(received, 95),
        "done_p50": pct(completed, 50),
        "done_p95": pct(completed, 95),
        "done_p99": pct(completed, 99),
        "done_max": max(completed),
        "cpu_ms": cpu_per_incident * 1000,
    }


async def _cleanup(servers: TestServers, namespace: str) -> None:
    conn = await asyncpg.connect(servers.database_url)
    await conn.execute(f'DROP SCHEMA IF EXISTS "{namespace}_notifier" CASCADE')
    await conn.close()
    nc = await nats.connect(servers.nats_url)
    js = nc.jetstream()
    for info in await js.streams_info():
        if info.config.name and info.config.name.startswith(f"{namespace}_"):
            await js.delete_stream(info.config.name)
    await nc.drain()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="incidents per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    servers = TestServers.start()
    try:
        for latency in (0.0, 0.2):
            r = await run_once(servers, args.rate, args.seconds, latency)
            print(
                f"rate={args.rate:.0f}/s n={r['count']} slack_latency={latency * 1000:.0f}ms  "
                f"received p50={r['recv_p50'] * 1000:.1f}ms p95={r['recv_p95'] * 1000:.1f}ms  "
                f"completed p50={r['done_p50'] * 1000:.1f}ms p95={r['done_p95'] * 1000:.1f}ms "
                f"p99={r['done_p99'] * 1000:.1f}ms max={r['done_max'] * 1000:.1f}ms  cpu/incident={r['cpu_ms']:.2f}ms",
                flush=True,
            )
        print(f"load average (1/5/15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    finally:
        servers.stop()


if __name__ == "__main__":
    asyncio.run(main())
