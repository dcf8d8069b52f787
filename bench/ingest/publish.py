"""CPU per event of the relay's JetStream publishing (`PipelinedPublisher.publish_all`), acks included.

A micro benchmark beside run.py: the end-to-end ratio moves ±10% from run to run on this VM, which
hides a change worth a few percent; this one isolates publishing. It publishes batches of 200
`alert.signal.received` events (the relay's batch) to a real JetStream stream under uvloop, as the
service does, and prints the process CPU per event. `--ingest-src DIR` imports ingest-svc from another
source tree (a `git archive` of another revision) to compare two revisions in one window.

    .venv/bin/python bench/ingest/publish.py [--nats nats://127.0.0.1:4222] [--batches 300]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(nats_url: str, batches: int, size: int) -> tuple[float, float]:
    import nats
    from em_shared.contracts.alerts import AlertSignal
    from em_shared.contracts.base import deterministic_id, utcnow
    from em_shared.contracts.subjects import S, Topology
    from em_shared.messaging.streams import declare_streams
    from ingest_svc.outbound import Outgoing, PipelinedPublisher

    topology = Topology(f"pub{uuid.uuid4().hex[:6]}")
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await declare_streams(js, topology)
    publisher = PipelinedPublisher(nc, topology, "ingest")
    now = utcnow()

    def batch(k: int) -> list[Outgoing]:
        return [
            Outgoing(
                S.ALERT_RECEIVED,
                AlertSignal(
                    id=deterministic_id("bench", k, i),
                    occurred_at=now,
                    source="alertmanager/default",
                    causation_id=deterministic_id("delivery", k, i),
                    vendor="alertmanager",
                    external_id=f"fp-{k}-{i}",
                    fingerprint=deterministic_id("fp", i).replace("-", ""),
                    status="firing",
                    title="HighLatency: p99 over 500 ms on checkout",
                    reported_severity="critical",
                    labels={"alertname": "HighLatency", "service": "checkout", "instance": "10.0.3.7:9090"},
                ),
                {"Em-Delivery-Id": deterministic_id("delivery", k, i)},
            )
            for i in range(size)
        ]

    prepared = [batch(k) for k in range(batches + 10)]
    try:
        for events in prepared[:10]:  # warm up: inbox subscription, stream, code paths
            await publisher.publish_all(events)
        cpu, wall = cpu_s(), time.perf_counter()
        for events in prepared[10:]:
            results = await publisher.publish_all(events)
            assert all(r is None for r in results), [r for r in results if r][:3]
        n = batches * size
        return (cpu_s() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6
    finally:
        for spec in topology.streams:
            try:
                await js.delete_stream(topology.stream(spec.name))
            except Exception:
                pass
        await nc.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nats", default="nats://127.0.0.1:4222")
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--ingest-src", help="import ingest-svc from this source tree instead")
    args = ap.parse_args()
    src = Path(args.ingest_src).resolve() if args.ingest_src else ROOT
    sys.path[:0] = [str(src / "ingest-svc" / "src"), str(src / "shared" / "src")]
    import uvloop

    cpu_us, wall_us = uvloop.run(measure(args.nats, args.batches, args.size))
    print(
        f"publish_all: {cpu_us:.2f} us CPU per event, {wall_us:.2f} us wall ({args.batches} x {args.size}, acks included)"
    )


if __name__ == "__main__":
    main()
