"""Alert signal -> incident latency at a sustained rate, against the real incident-svc process.

Publishes AlertSignals straight to JetStream (ingest-svc's webhook path is not in this measurement)
at a fixed rate, and polls the service's schema for each event's row: latency = the moment the
processed signal is visible (committed) minus the moment JetStream acked its publish. Polling every
10 ms (the 400 oldest unseen ids per poll) makes the figures an upper bound.

    python bench/incident/latency.py --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentile, running_service
from replay import build

POLL_S, POLL_CAP = 0.01, 400


async def run(rate: float, seconds: float, lanes: int, pool: int, batch: int) -> None:
    lines = [ln for ln in build(incidents=4000, seed=11) if not ln["redelivery"]][: int(rate * seconds)]
    env = {"INCIDENT_GROUP_INTERVAL_S": "30", "INCIDENT_INTAKE_LANES": str(lanes), "DB_POOL_MAX": str(pool)}
    env["INCIDENT_CONSUMER_BATCH"] = str(batch)
    async with running_service(env) as bench:
        js = bench.nc.jetstream()
        subject = bench.topology.subject("alert.signal.received")
        pool = await bench.connect_db()
        published: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = asyncio.Event()

        async def poll() -> None:
            while not (done.is_set() and len(seen) >= len(published)):
                # The oldest few hundred only (dicts keep publish order): probing thousands of ids every
                # poll during a backlog would load PostgreSQL and slow the service being measured.
                waiting = list(itertools.islice((i for i in published if i not in seen), POLL_CAP))
                if waiting:
                    rows = await pool.fetch(
                        "SELECT event_id FROM alert_signals WHERE event_id = ANY($1::text[])", waiting
                    )
                    now = time.perf_counter()
                    for r in rows:
                        seen[r["event_id"]] = now
                await asyncio.sleep(POLL_S)

        poller = asyncio.create_task(poll())
        start = time.perf_counter()
        inflight: set[asyncio.Task[None]] = set()

        async def send(line: dict) -> None:  # type: ignore[type-arg]
            sig = line["signal"]
            await js.publish(subject, json.dumps(sig).encode(), headers={"Nats-Msg-Id": sig["id"]})
            published[sig["id"]] = time.perf_counter()

        for i, line in enumerate(lines):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(send(line))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
        await asyncio.gather(*inflight)
        publish_s = time.perf_counter() - start
        done.set()
        await asyncio.wait_for(poller, timeout=600)
        drained_s = time.perf_counter() - start
        await pool.close()
    lat = [(seen[i] - published[i]) * 1000 for i in published]
    print(
        f"published {len(published)} AlertSignals to JetStream at {len(published) / publish_s:.0f}/s "
        f"(target {rate:.0f}/s) for {publish_s:.1f}s; all processed after {drained_s:.1f}s "
        f"({len(published) / drained_s:.0f}/s sustained)"
    )
    print(
        f"signal -> incident created/updated latency ms: p50 {percentile(lat, 50):.0f}  "
        f"p95 {percentile(lat, 95):.0f}  p99 {percentile(lat, 99):.0f}  max {max(lat):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--lanes", type=int, default=4, help="INCIDENT_INTAKE_LANES of the service")
    parser.add_argument("--pool", type=int, default=10, help="DB_POOL_MAX of the service")
    parser.add_argument("--batch", type=int, default=32, help="INCIDENT_CONSUMER_BATCH of the service")
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds, args.lanes, args.pool, args.batch))


if __name__ == "__main__":
    main()
