"""Event use cases: store a batch of facts (idempotently), then refresh what the batch can have changed.

A consumer's pulled batch is folded in one transaction under the module's advisory lock: facts are
merged with one statement per table, the reach of every event is gathered per (service,
environment) timeline, and each touched timeline is reclassified once. A batch that fails rolls
back as a whole; facts are keyed by natural ids, so its redelivery (or a duplicate) changes nothing
twice. The single-event methods are the same use case with a batch of one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from em_shared.contracts.base import utcnow

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain import rows
from ingest_svc.metrics.domain.rules import incident_concerns
from ingest_svc.metrics.handlers.fold import Folder, Partition, incident_days, widen
from ingest_svc.metrics.repository import facts, rollups
from ingest_svc.metrics.repository.locks import metrics_lock

Parts = dict[Partition, datetime | None]
Item = tuple[str, Any]  # (kind, event); kinds are the Ingestor's single-event method names
KINDS = ("deployment", "push", "pull_request", "incident", "build", "quality")
# Builds and quality reports are stored for flow/quality queries but never reclassify deployments.
FOLDED = frozenset(("deployment", "push", "pull_request", "incident"))


class Ingestor:
    def __init__(self, pool: asyncpg.Pool, cfg: Config, clock: Callable[[], datetime] = utcnow) -> None:
        self.pool = pool
        self.cfg = cfg
        self.folder = Folder(cfg)
        self.clock = clock

    async def fold(self, items: Sequence[Item]) -> None:
        """Fold a batch of events (any kinds, any order, duplicates allowed) in one transaction."""
        if not items:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply(conn, items)

    async def apply(self, conn: asyncpg.Connection, items: Sequence[Item]) -> None:
        by_kind: dict[str, list[Any]] = defaultdict(list)
        for kind, event in items:
            if kind not in KINDS:
                raise ValueError(f"unknown metrics event kind {kind!r}")
            by_kind[kind].append(event)
        if FOLDED & by_kind.keys():
            await metrics_lock(conn)
        parts: Parts = {}
        await self._deployments(conn, by_kind["deployment"], parts)
        await self._pushes(conn, by_kind["push"], parts)
        await self._pull_requests(conn, by_kind["pull_request"], parts)
        await self._incidents(conn, by_kind["incident"], parts)
        await facts.merge_rows(conn, "builds", [rows.build_row(e) for e in by_kind["build"]])
        await facts.insert_quality(conn, [rows.quality_row(e) for e in by_kind["quality"]])
        if parts:
            await self.folder.fold(conn, parts, self.clock())

    async def _deployments(self, conn: asyncpg.Connection, events: list[Any], parts: Parts) -> None:
        deployed = [rows.deployment_row(e, self.cfg.rules) for e in events]
        # An abbreviated commit id (an image tag such as `3f2a1b9`) names the pushed commit it starts.
        short = sorted(
            {(r["repository"], r["sha"]) for r in deployed if rows.abbreviated(r["sha"]) and r["repository"]}
        )
        if short:
            full = await facts.full_shas(conn, short)
            for r in deployed:
                r["sha"] = full.get((r["repository"], r["sha"]), r["sha"])
        changes = await facts.merge_rows(conn, "deployments", deployed)
        for old, new in changes:
            for r in (old, new):
                if r is not None and r["production"] and r["finished_at"] is not None:
                    widen(parts, (r["service"], r["environment"]), r["finished_at"])

    async def _pushes(self, conn: asyncpg.Connection, events: list[Any], parts: Parts) -> None:
        if not events:
            return
        branch_rows, commit_rows, revert_rows = [], [], []
        since: dict[tuple[str, str], datetime] = {}
        for e in events:
            b, c, r = rows.push_rows(e)
            branch_rows += b
            commit_rows += c
            revert_rows += r
            branch = (rows.repository_key(e.repository), b[0]["branch"] if b else e.branch)
            since[branch] = min(since.get(branch, e.occurred_at), e.occurred_at)
        await facts.insert_pushes(conn, branch_rows, commit_rows, revert_rows)
        # A push can change (a) the ranges of the branch's deployments of commits pushed after it and
        # (b) the deployments whose commits it carries or reverts (their lead times, their revert). A
        # push before any deployment that contains it (the usual order) changes nothing yet.
        for service, env, at in await facts.partitions_reached_by_pushes(conn, since):
            widen(parts, (service, env), at)
        shas = sorted({r["sha"] for r in branch_rows} | {r["sha"] for r in revert_rows})
        for part, at in (await facts.earliest_containing(conn, shas)).items():
            widen(parts, part, at)

    async def _pull_requests(self, conn: asyncpg.Connection, events: list[Any], parts: Parts) -> None:
        if not events:
            return
        changes = await facts.merge_rows(
            conn, "pull_requests", [rows.pull_request_row(e, self.cfg.rules) for e in events]
        )
        reverts = [r for e in events for r in rows.pr_revert_rows(e)]
        await facts.insert_reverts(conn, reverts)
        shas: set[str] = set()
        for old, new in changes:
            for r in (old, new):
                if r is not None:
                    shas.update(r["commit_shas"])
                    shas.update([r["merge_sha"]] if r["merge_sha"] else [])
        # A merged revert pull request reverts every commit of the pull requests it names.
        shas.update(await facts.pr_shas(conn, sorted({(r["repository"], r["pr_number"]) for r in reverts})))
        for part, at in (await facts.earliest_containing(conn, sorted(shas))).items():
            widen(parts, part, at)

    async def _incidents(self, conn: asyncpg.Connection, events: list[Any], parts: Parts) -> None:
        changes = await facts.merge_rows(
            conn, "incidents", [rows.incident_row(e, self.cfg.tz) for e in events]
        )
        if not changes:
            return
        touched = [r for change in changes for r in change if r is not None]
        envs = await facts.production_environments(
            conn, sorted({r["service"] for r in touched if r["service"]})
        )
        days = []
        for r in touched:
            days.extend(incident_days(r))
            # Attribution by window: the service's deployments from `opened_at - window` on.
            for env in envs.get(r["service"], []):
                if incident_concerns(r["environment"], env):
                    widen(parts, (r["service"], env), r["opened_at"] - self.cfg.window)
        linked = sorted({a for r in touched for a in r["linked"]})
        for d in await facts.deployments_by_alias(conn, linked):
            widen(parts, (d["service"], d["environment"]), d["finished_at"])
        await rollups.mark_dirty(conn, days)

    # The consumers' single-event use cases (tests and tools call these; they fold a batch of one).

    async def deployment(self, e: Any) -> None:
        await self.fold([("deployment", e)])

    async def push(self, e: Any) -> None:
        await self.fold([("push", e)])

    async def pull_request(self, e: Any) -> None:
        await self.fold([("pull_request", e)])

    async def incident(self, e: Any) -> None:
        await self.fold([("incident", e)])

    async def build(self, e: Any) -> None:
        await self.fold([("build", e)])

    async def quality(self, e: Any) -> None:
        await self.fold([("quality", e)])
