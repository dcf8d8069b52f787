"""DORA benchmark: canonical events of 200 services and 20 teams over 2 years (1,000,000 with --full).

Facts go in with COPY, a full recompute rebuilds every outcome and day partial from them, further
events are folded through the use case the consumers call (first one by one: single-event latency;
then in consumer batches, one transaction each: per-event cost), and DORA queries (90 days, one
service and the whole organisation) are timed. Prints the figures.

    DATABASE_URL=postgresql://... .venv/bin/python bench/dora/run.py            # 100,000 events, ~2 min
    DATABASE_URL=postgresql://... .venv/bin/python bench/dora/run.py --full     # 1,000,000 events
Without DATABASE_URL an embedded PostgreSQL is started (and stopped) for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).parent))

from em_shared.runtime.settings import load_settings
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool
from em_shared.testing.servers import TestServers
from generate import START, service_events
from ingest_svc.metrics.config import Config
from ingest_svc.metrics.handlers.ingest import Ingestor
from ingest_svc.metrics.handlers.queries import Queries
from ingest_svc.metrics.handlers.rollup import Roller
from ingest_svc.metrics.module import MIGRATIONS
from ingest_svc.metrics.subscribers import EVENTS, PULL_BATCH
from ingest_svc.settings import IngestSettings
from load import FactSink


def pct(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, round(q * (len(data) - 1)))]


def kind(subject: str) -> str:
    for pattern, _, _, method in EVENTS:
        p, s = pattern.split("."), subject.split(".")
        if len(p) == len(s) and all(a in ("*", b) for a, b in zip(p, s, strict=True)):
            return method
    raise KeyError(subject)


async def bench(args: argparse.Namespace, dsn: str) -> None:
    schema = args.reuse or f"bench{uuid.uuid4().hex[:6]}_metrics"
    pool = await create_pool(dsn, schema, 1, 4)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    cfg = Config.from_settings(load_settings(IngestSettings, {}))
    end = START + timedelta(days=args.days)
    clock = lambda: end + timedelta(days=2)  # noqa: E731
    try:
        if not args.reuse:
            await load_and_recompute(args, pool, cfg, clock)
        await incremental_and_queries(args, pool, cfg, end, clock)
    finally:
        if not args.keep:
            async with pool.acquire() as conn:
                await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()


async def load_and_recompute(args: argparse.Namespace, pool: Any, cfg: Config, clock: Any) -> None:
    """Generate the events, COPY the merged facts, time a full recompute."""
    per_service = args.events // args.services
    t0 = time.perf_counter()
    sink = FactSink(cfg)
    for i in range(args.services):
        for subject, event in service_events(i, args.teams, args.days, per_service, args.seed):
            sink.add(subject, event)
    t_gen = time.perf_counter() - t0
    print(
        f"generated {sink.events:,} canonical events in {t_gen:.1f} s "
        f"({args.services} services, {args.teams} teams, {args.days} days)"
    )
    t0 = time.perf_counter()
    async with pool.acquire() as conn:
        rows = await sink.copy(conn)
    t_copy = time.perf_counter() - t0
    print(f"COPY of the facts: {t_copy:.1f} s ({', '.join(f'{k} {v:,}' for k, v in rows.items())})")
    roller = Roller(pool, cfg, clock=clock)
    t0 = time.perf_counter()
    await roller.recompute(versions=False)
    t_re = time.perf_counter() - t0
    async with pool.acquire() as conn:
        for table in ("outcomes", "outcome_commits", "day_partials"):
            await conn.execute(f"ANALYZE {table}")
        n_out = await conn.fetchval("SELECT count(*) FROM outcomes")
        n_part = await conn.fetchval("SELECT count(*) FROM day_partials")
    print(
        f"full recompute: {t_re:.1f} s ({n_out:,} deployment outcomes, {n_part:,} day partials); "
        f"{sink.events / t_re:,.0f} events/s folded into rollups"
    )


async def incremental_and_queries(
    args: argparse.Namespace, pool: Any, cfg: Config, end: Any, clock: Any
) -> None:
    """Continue the history of random services, folding events one by one; then time DORA queries."""
    roller = Roller(pool, cfg, clock=clock)
    ingestor = Ingestor(pool, cfg, clock=clock)
    rng = random.Random(args.seed + args.sample_day)
    sample = []
    for i in rng.sample(range(args.services), min(args.services, 20)):
        sample.extend(
            service_events(
                i,
                args.teams,
                14,
                (args.single + args.sample) // 20 + 1,
                args.seed + 1,
                start=end + timedelta(days=args.sample_day),
                offset=10_000_000 + args.sample_day * 100_000,
            )
        )
    sample = sample[: args.single + args.sample]
    sample.sort(key=lambda se: se[1].occurred_at)
    single, batched = sample[: args.single], sample[args.single :]
    latency = []
    for subject, event in single:  # a quiet consumer: every event is its own batch
        t1 = time.perf_counter()
        await ingestor.fold([(kind(subject), event)])
        latency.append((time.perf_counter() - t1) * 1000)
    print(
        f"single-event fold: {len(single):,} events one transaction each: mean {statistics.mean(latency):.2f} ms, "
        f"p50 {pct(latency, 0.5):.2f} ms, p95 {pct(latency, 0.95):.2f} ms"
    )
    # A busy consumer group: events arrive in time order faster than they are folded, so each
    # transaction folds the next `--batch` events (all kinds mixed, as the group fold sees them).
    per_event, batch_ms = [], []
    t0 = time.perf_counter()
    for i in range(0, len(batched), args.batch):
        chunk = batched[i : i + args.batch]
        t1 = time.perf_counter()
        await ingestor.fold([(kind(subject), event) for subject, event in chunk])
        ms = (time.perf_counter() - t1) * 1000
        batch_ms.append(ms)
        per_event.extend([ms / len(chunk)] * len(chunk))
    t_fold = time.perf_counter() - t0
    t0 = time.perf_counter()
    days = await roller.flush()
    t_flush = time.perf_counter() - t0
    print(
        f"batched fold: {len(batched):,} events in {len(batch_ms)} transactions of up to {args.batch} in "
        f"{t_fold:.2f} s: per event (batch time / events) mean {statistics.mean(per_event):.3f} ms, "
        f"p50 {pct(per_event, 0.5):.3f} ms, p95 {pct(per_event, 0.95):.3f} ms; batch p50 {pct(batch_ms, 0.5):.1f} ms, "
        f"p95 {pct(batch_ms, 0.95):.1f} ms; {len(batched) / t_fold:,.0f} events/s; rollup flush of {days:,} dirty "
        f"days {t_flush:.2f} s ({t_flush * 1000 / len(sample):.2f} ms per event amortised); "
        f"{len(sample) / (t_fold + t_flush + sum(latency) / 1000):,.0f} events/s end to end"
    )
    queries = Queries(pool, cfg, clock=clock)
    to = end.date().isoformat()
    frm = (end - timedelta(days=90)).date().isoformat()
    for label, params in (
        ("service", lambda: {"service": f"svc{rng.randrange(args.services):03d}"}),
        ("org", lambda: {}),
    ):
        times = []
        for _ in range(args.queries):
            t1 = time.perf_counter()
            f = queries.filters({"start": frm, "end": to, "bucket": "week", **params()})
            msgspec.json.encode(await queries.dora(f))
            times.append((time.perf_counter() - t1) * 1000)
        print(
            f"query 90 days, weekly, {label}: p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms "
            f"({args.queries} queries)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="the issue's 1,000,000 events (about 10 minutes)")
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--sample", type=int, default=2000, help="events folded in batches")
    parser.add_argument("--single", type=int, default=200, help="events folded one by one first")
    parser.add_argument("--batch", type=int, default=PULL_BATCH, help="events per batched transaction")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the bench schema")
    parser.add_argument("--reuse", help="a kept bench schema: skip the load and recompute, fold a new sample")
    parser.add_argument("--sample-day", type=int, default=0, help="days after the history the sample starts")
    args = parser.parse_args()
    if args.full:
        args.events = 1_000_000
    dsn = os.environ.get("DATABASE_URL")
    servers = None
    if not dsn:
        os.environ.pop("NATS_URL", None)
        servers = TestServers.start()
        dsn = servers.database_url
    try:
        asyncio.run(bench(args, dsn))
    finally:
        if servers is not None:
            servers.stop()


if __name__ == "__main__":
    main()
