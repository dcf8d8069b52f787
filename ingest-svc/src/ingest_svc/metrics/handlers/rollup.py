"""Turn changed days into day partials, bucket rollups with versions, and `metrics.dora.rolled_up` events.

Folding marks days dirty; this flush (run by the periodic task, and on demand) rebuilds the partials
of those days from the outcomes, recomputes the day, week and month buckets they belong to, and
bumps a bucket's version only when its figures changed. Events go through an outbox so a crash
between commit and publish loses nothing; their ids are deterministic, so a re-publish is dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec
import structlog
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.metrics import DoraRolledUp

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain import figures as fig
from ingest_svc.metrics.domain.buckets import BUCKETS, bucket_bounds, bucket_first_day, next_bucket_day
from ingest_svc.metrics.handlers.fold import Folder, incident_days, widen
from ingest_svc.metrics.repository import facts, rollups
from ingest_svc.metrics.repository import outcomes as out
from ingest_svc.metrics.repository.locks import metrics_lock

log = structlog.get_logger("em.metrics")
Publish = Callable[[DoraRolledUp], Awaitable[Any]]


class Roller:
    def __init__(self, pool: asyncpg.Pool, cfg: Config, clock: Callable[[], datetime] = utcnow) -> None:
        self.pool = pool
        self.cfg = cfg
        self.clock = clock
        self.folder = Folder(cfg)

    async def flush(self, batch: int = 5000, versions: bool = True) -> int:
        """Rebuild the partials of every dirty day and enqueue changed rollups; returns days rebuilt.

        `versions=False` (a bulk backfill) rebuilds partials only: no digests, versions or events.
        """
        total = 0
        while True:
            async with self.pool.acquire() as conn, conn.transaction():
                await metrics_lock(conn)
                dirty = await rollups.take_dirty(conn, batch)
                if not dirty:
                    return total
                await self.rebuild(conn, dirty, versions)
                total += len(dirty)

    async def rebuild(
        self, conn: asyncpg.Connection, dirty: list[rollups.DirtyDay], versions: bool = True
    ) -> None:
        groups: dict[tuple[str, str, str], list[date]] = defaultdict(list)
        for scope, key, env, day in dirty:
            groups[(scope, key, env)].append(day)
        written, events = [], []
        for (scope, key, env), days in sorted(groups.items()):
            deploys = await rollups.deploy_rows(conn, scope, key, env, days)
            incidents = (
                {} if scope == "repository" else await rollups.incident_rows(conn, scope, key, env, days)
            )
            for day in sorted(days):
                d, i = deploys.get((day, env), []), incidents.get((day, env), [])
                written.append((scope, key, env, day, fig.partial(d, i, self.cfg.limit) if d or i else None))
        await rollups.write_partials(conn, written)
        if not versions:
            return
        now = self.clock()
        for (scope, key, env), days in sorted(groups.items()):
            team = (
                await rollups.team_of(conn, key) if scope == "service" else (key if scope == "team" else None)
            )
            for kind in BUCKETS:
                for first in sorted({bucket_first_day(d, kind) for d in days}):
                    event = await self._version(conn, scope, key, env, kind, first, team, now)
                    if event is not None:
                        events.append(event)
        await rollups.enqueue(conn, events)

    async def _version(
        self,
        conn: asyncpg.Connection,
        scope: str,
        key: str,
        env: str,
        kind: str,
        first: date,
        team: str | None,
        now: datetime,
    ) -> tuple[str, dict[str, Any]] | None:
        nxt = next_bucket_day(first, kind)
        parts = await rollups.read_partials(conn, scope, key, env, first, nxt)
        merged = fig.merge((p for _, _, p in parts), self.cfg.limit)
        values = fig.figures(merged, (nxt - first).days, self.cfg.min_sample)
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
        version = await rollups.bump_version(conn, scope, key, env, kind, first, digest)
        if version is None:
            return None
        start, end = bucket_bounds(first, kind, self.cfg.tz)
        event = DoraRolledUp(
            id=deterministic_id("metrics.dora.rolled_up", scope, key, env, kind, start.isoformat(), version),
            occurred_at=now,
            source="ingest-svc/metrics",
            scope=scope,
            scope_key=key,
            team=team,
            environment=env,
            bucket=kind,
            bucket_start=start,
            bucket_end=end,
            version=version,
            values=values,
        )
        return event.id, msgspec.to_builtins(event)

    async def publish_outbox(self, publish: Publish) -> int:
        sent = 0
        async with self.pool.acquire() as conn:
            pending = await rollups.outbox(conn)
            for event_id, payload in pending:
                await publish(msgspec.convert(payload, DoraRolledUp))
                await rollups.delete_outbox(conn, [event_id])
                sent += 1
        return sent

    async def close_windows(self) -> int:
        """Reclassify partitions holding pending deployments whose attribution window has closed."""
        async with self.pool.acquire() as conn, conn.transaction():
            await metrics_lock(conn)
            now = self.clock()
            parts: dict[tuple[str, str], datetime | None] = {}
            for service, env, at in await out.pending_due(conn, now):
                widen(parts, (service, env), at)
            return await self.folder.fold(conn, parts, now) if parts else 0

    async def recompute(self, versions: bool = True) -> None:
        """Full recompute: forget every derived row and rebuild it from the facts alone."""
        async with self.pool.acquire() as conn, conn.transaction():
            await metrics_lock(conn)
            await facts.clear_derived(conn)
            parts = dict.fromkeys(await facts.all_partitions(conn))
            await self.folder.fold(conn, parts, self.clock())
            days = [d for row in await facts.all_incidents(conn) for d in incident_days(row)]
            await rollups.mark_dirty(conn, days)
        await self.flush(versions=versions)
