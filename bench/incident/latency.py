"""Alert signal -> incident latency at a sustained rate, against the real incident-svc process.

Publishes AlertSignals straight to JetStream (ingest-svc's webhook path is not in this measurement)
at a fixed rate, and polls the service's schema for each event's row: latency = the moment the
processed signal is visible (committed) minus the moment JetStream acked its publish. Polling every
10 ms makes the figures an upper bound.

    python bench/incident/latency.py --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentile, running_service
from replay import build


async def run(rate: float, seconds: float) -> None:
    lines = [ln for ln in build(incidents=4000, seed=11) if not ln["redelivery"]][: int(rate * seconds)]
    async with running_service({"INCIDENT_GROUP_INTERVAL_S": "30"}) as bench:
        js = bench.nc.jetstream()
        subject = bench.topology.subject("alert.signal.received")
        pool = await bench.connect_db()
        published: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = asyncio.Event()

        async def poll() -> None:
            while not (done.is_set() and len(seen) >= len(published)):
                waiting = [i for i in published if i not in seen]
                if waiting:
                    rows = await pool.fetch(
                        "SELECT event_id FROM alert_signals WHERE event_id = ANY($1::text[])", waiting
                    )
                    now = time.perf_counter()
                    for r in rows:
                        seen[r["event_id"]] = now
                await asyncio.sleep(0.01)

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
    args = parser.parse_args()
    asyncio.run(run(args.rate, args.seconds))


if __name__ == "__main__":
    main()
