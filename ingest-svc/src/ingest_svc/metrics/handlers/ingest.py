"""Event use cases: store the fact (idempotently), then refresh what it can have changed.

Each event runs in one transaction under the module's advisory lock, so concurrent consumers never
interleave two refreshes of one timeline; a duplicate event changes no fact and refreshes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
from em_shared.contracts.base import utcnow
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.quality import QualityReported

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain import rows
from ingest_svc.metrics.handlers.fold import Folder, Partition, incident_days, widen
from ingest_svc.metrics.repository import facts, rollups
from ingest_svc.metrics.repository.locks import metrics_lock


class Ingestor:
    def __init__(self, pool: asyncpg.Pool, cfg: Config, clock: Callable[[], datetime] = utcnow) -> None:
        self.pool = pool
        self.cfg = cfg
        self.folder = Folder(cfg)
        self.clock = clock

    async def deployment(self, e: DeploymentChanged) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply_deployment(conn, e)

    async def apply_deployment(self, conn: asyncpg.Connection, e: DeploymentChanged) -> None:
        await metrics_lock(conn)
        old, new = await facts.upsert_deployment(conn, rows.deployment_row(e, self.cfg.rules))
        if old == new:
            return
        parts: dict[Partition, datetime | None] = {}
        for r in (old, new):
            if r is not None and r["production"] and r["finished_at"] is not None:
                widen(parts, (r["service"], r["environment"]), r["finished_at"])
        await self.folder.fold(conn, parts, self.clock())

    async def push(self, e: CommitsPushed) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply_push(conn, e)

    async def apply_push(self, conn: asyncpg.Connection, e: CommitsPushed) -> None:
        await metrics_lock(conn)
        branch_rows, commit_rows, revert_rows = rows.push_rows(e)
        await facts.insert_push(conn, branch_rows, commit_rows, revert_rows)
        shas = sorted({r["sha"] for r in branch_rows} | {r["sha"] for r in revert_rows})
        # A push can change (a) deployments whose commits it carries or reverts (their lead times, their
        # revert), found by sha, and (b) the ranges of deployments of the repository after it. A push
        # before any deployment that contains it (the usual order) changes nothing yet.
        parts: dict[Partition, datetime | None] = {}
        for part in await facts.partitions_deployed_since(conn, e.repository, e.occurred_at):
            widen(parts, part, e.occurred_at)
        for part, at in (await facts.earliest_containing(conn, shas)).items():
            widen(parts, part, at)
        if not parts:
            return
        await self.folder.fold(conn, parts, self.clock())

    async def pull_request(self, e: PullRequestChanged) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply_pull_request(conn, e)

    async def apply_pull_request(self, conn: asyncpg.Connection, e: PullRequestChanged) -> None:
        await metrics_lock(conn)
        old, new = await facts.upsert_pull_request(conn, rows.pull_request_row(e, self.cfg.rules))
        reverts = rows.pr_revert_rows(e)
        await facts.insert_reverts(conn, reverts)
        shas = set(new["commit_shas"]) | ({new["merge_sha"]} if new["merge_sha"] else set())
        if reverts:
            shas |= set(await facts.pr_shas(conn, e.repository, [r["pr_number"] for r in reverts]))
        if old == new and not reverts:
            return
        parts: dict[Partition, datetime | None] = {}
        for part, at in (await facts.earliest_containing(conn, sorted(shas))).items():
            widen(parts, part, at)
        await self.folder.fold(conn, parts, self.clock())

    async def incident(self, e: IncidentChanged) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await self.apply_incident(conn, e)

    async def apply_incident(self, conn: asyncpg.Connection, e: IncidentChanged) -> None:
        await metrics_lock(conn)
        old, new = await facts.upsert_incident(conn, rows.incident_row(e, self.cfg.tz))
        if old == new:
            return
        parts: dict[Partition, datetime | None] = {}
        days = []
        for r in (old, new):
            if r is None:
                continue
            days.extend(incident_days(r))
            if r["service"]:
                for env in await facts.production_environments(conn, r["service"]):
                    if r["environment"] in (None, env):
                        widen(parts, (r["service"], env), r["opened_at"] - self.cfg.window)
            for d in await facts.deployments_by_alias(conn, list(r["linked"])):
                widen(parts, (d["service"], d["environment"]), d["finished_at"])
        await rollups.mark_dirty(conn, days)
        await self.folder.fold(conn, parts, self.clock())

    async def build(self, e: BuildFinished) -> None:
        async with self.pool.acquire() as conn:
            await facts.upsert_build(conn, rows.build_row(e))

    async def quality(self, e: QualityReported) -> None:
        async with self.pool.acquire() as conn:
            await facts.insert_quality(conn, rows.quality_row(e))
