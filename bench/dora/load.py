"""Bulk path of the benchmark: canonical events -> merged fact rows (same rules as the upserts) -> COPY."""

from __future__ import annotations

from typing import Any

import asyncpg
from em_shared.contracts.base import Event
from em_shared.contracts.subjects import S
from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain import rows

TABLES = {
    "deployments": (
        "key",
        "service",
        "environment",
        "production",
        "status",
        "rank",
        "event_at",
        "event_id",
        "team",
        "repository",
        "sha",
        "version",
        "ref",
        "commit_range",
        "is_rollback",
        "is_hotfix",
        "finished_at",
        "aliases",
    ),
    "branch_commits": ("repository", "branch", "sha", "pushed_at", "idx"),
    "commits": ("sha", "repository", "committed_at"),
    "reverts": ("id", "repository", "sha", "pr_number", "at"),
    "pull_requests": (
        "repository",
        "number",
        "event_at",
        "event_id",
        "title",
        "service",
        "team",
        "author",
        "merge_sha",
        "commit_shas",
        "created_at",
        "first_commit_at",
        "first_review_at",
        "merged_at",
        "closed_at",
        "additions",
        "deletions",
        "is_hotfix",
    ),
    "incidents": (
        "id",
        "sequence",
        "event_at",
        "event_id",
        "severity",
        "service",
        "team",
        "environment",
        "opened_at",
        "resolved_at",
        "day",
        "linked",
    ),
    "builds": (
        "key",
        "event_at",
        "event_id",
        "name",
        "status",
        "service",
        "team",
        "repository",
        "finished_at",
        "duration_s",
    ),
}
_MILESTONES = ("created_at", "first_commit_at", "first_review_at", "merged_at", "closed_at")


class FactSink:
    """Folds events into one row per natural key, as the upserts would, then COPYs them."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.events = 0
        self.tables: dict[str, dict[Any, dict[str, Any]]] = {t: {} for t in TABLES}

    def add(self, subject: str, event: Event) -> None:
        self.events += 1
        t = self.tables
        if subject.startswith("deploy."):
            r = rows.deployment_row(event, self.cfg.rules)  # type: ignore[arg-type]
            old = t["deployments"].get(r["key"])
            if old is not None:
                aliases = sorted(set(old["aliases"]) | set(r["aliases"]))
                if (r["rank"], r["event_at"], r["event_id"]) < (
                    old["rank"],
                    old["event_at"],
                    old["event_id"],
                ):
                    r = old
                r["aliases"] = aliases
            t["deployments"][r["key"]] = r
        elif subject == S.COMMIT_PUSHED:
            branch, commits, reverts = rows.push_rows(event)  # type: ignore[arg-type]
            for b in branch:
                t["branch_commits"].setdefault((b["repository"], b["branch"], b["sha"]), b)
            for c in commits:
                t["commits"].setdefault(c["sha"], c)
            for rv in reverts:
                t["reverts"].setdefault(rv["id"], rv)
        elif subject.startswith("scm.pull_request."):
            r = rows.pull_request_row(event, self.cfg.rules)  # type: ignore[arg-type]
            key = (r["repository"], r["number"])
            old = t["pull_requests"].get(key)
            if old is not None:
                newer = r if (r["event_at"], r["event_id"]) > (old["event_at"], old["event_id"]) else old
                merged = dict(newer)
                for k in _MILESTONES:
                    known = [v for v in (old[k], r[k]) if v is not None]
                    merged[k] = min(known) if known else None
                merged["commit_shas"] = sorted(set(old["commit_shas"]) | set(r["commit_shas"]))
                merged["is_hotfix"] = old["is_hotfix"] or r["is_hotfix"]
                r = merged
            t["pull_requests"][key] = r
        elif subject.startswith("incident."):
            r = rows.incident_row(event, self.cfg.tz)  # type: ignore[arg-type]
            old = t["incidents"].get(r["id"])
            if old is None or (r["sequence"], r["event_at"], r["event_id"]) > (
                old["sequence"],
                old["event_at"],
                old["event_id"],
            ):
                t["incidents"][r["id"]] = r
        elif subject == S.BUILD_FINISHED:
            r = rows.build_row(event)  # type: ignore[arg-type]
            t["builds"][r["key"]] = r

    async def copy(self, conn: asyncpg.Connection) -> dict[str, int]:
        counts = {}
        for table, cols in TABLES.items():
            records = [tuple(r[c] for c in cols) for r in self.tables[table].values()]
            if records:
                await conn.copy_records_to_table(table, records=records, columns=list(cols))
            counts[table] = len(records)
        # Fresh statistics, as autovacuum would gather after a bulk load; plans depend on them.
        for table in TABLES:  # this schema's tables only (a bare ANALYZE walks the whole database)
            await conn.execute(f"ANALYZE {table}")
        return counts
