"""Reads a service/environment timeline suffix for classification, and writes its outcomes back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from ingest_svc.metrics.domain.facts import BranchCommit, DeploymentFact, IncidentFact, Outcome, RevertFact


async def anchor(conn: asyncpg.Connection, service: str, env: str, before: datetime) -> datetime | None:
    """Finish of the last successful production deployment strictly before `before`."""
    return await conn.fetchval(
        """SELECT max(finished_at) FROM deployments WHERE production AND service = $1 AND environment = $2
           AND status = 'success' AND finished_at < $3""",
        service,
        env,
        before,
    )


async def context_before(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None
) -> tuple[str | None, str | None]:
    """(sha, recovered_by) of the last successful deployment before `start`."""
    if start is None:
        return None, None
    row = await conn.fetchrow(
        """SELECT d.sha, o.recovered_by FROM deployments d LEFT JOIN outcomes o USING (key)
           WHERE d.production AND d.service = $1 AND d.environment = $2 AND d.status = 'success'
             AND d.finished_at < $3 ORDER BY d.finished_at DESC, d.key DESC LIMIT 1""",
        service,
        env,
        start,
    )
    return (row["sha"], row["recovered_by"]) if row else (None, None)


async def deployments(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None
) -> list[DeploymentFact]:
    rows = await conn.fetch(
        """SELECT * FROM deployments
           WHERE production AND service = $1 AND environment = $2 AND status IN ('success', 'failure', 'error')
             AND finished_at IS NOT NULL AND ($3::timestamptz IS NULL OR finished_at >= $3)
           ORDER BY finished_at, key""",
        service,
        env,
        start,
    )
    shas = sorted({r["sha"] for r in rows if r["sha"]})
    versions = sorted({r["version"] for r in rows if not r["sha"] and r["version"]})
    # When each deployed version was first deployed (over the whole history): a rollback redeploys one
    # first deployed before the deployment it replaces.
    first_sha = {
        r["sha"]: r["at"]
        for r in await conn.fetch(
            """SELECT sha, min(finished_at) AS at FROM deployments WHERE production AND service = $1
           AND environment = $2 AND status = 'success' AND sha = ANY($3::text[]) GROUP BY sha""",
            service,
            env,
            shas,
        )
    }
    first_version = (
        {
            r["version"]: r["at"]
            for r in await conn.fetch(
                """SELECT version, min(finished_at) AS at FROM deployments WHERE production AND service = $1
           AND environment = $2 AND status = 'success' AND sha IS NULL AND version = ANY($3::text[])
           GROUP BY version""",
                service,
                env,
                versions,
            )
        }
        if versions
        else {}
    )
    return [
        DeploymentFact(
            key=r["key"],
            service=r["service"],
            environment=r["environment"],
            status="success" if r["status"] == "success" else "failure",
            finished_at=r["finished_at"],
            team=r["team"],
            repository=r["repository"],
            sha=r["sha"],
            version=r["version"],
            ref=r["ref"],
            is_rollback=r["is_rollback"],
            is_hotfix=r["is_hotfix"],
            aliases=tuple(r["aliases"]),
            commit_range=tuple(r["commit_range"]),
            version_first_deployed_at=first_sha.get(r["sha"])
            if r["sha"]
            else first_version.get(r["version"]),
        )
        for r in rows
    ]


async def branch(
    conn: asyncpg.Connection, repository: str, ref: str, since: datetime, shas: list[str]
) -> list[BranchCommit]:
    """Commits pushed to a branch from the earliest of `since` and the first push of `shas`, in order."""
    rows = await conn.fetch(
        """SELECT sha, pushed_at FROM branch_commits WHERE repository = $1 AND branch = $2
             AND pushed_at >= LEAST($3, (SELECT min(pushed_at) FROM branch_commits
                                         WHERE repository = $1 AND branch = $2 AND sha = ANY($4::text[])))
           ORDER BY pushed_at, idx, sha""",
        repository,
        ref,
        since,
        shas,
    )
    return [BranchCommit(r["sha"], r["pushed_at"]) for r in rows]


async def already_deployed(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None, shas: list[str]
) -> frozenset[str]:
    if start is None or not shas:
        return frozenset()
    rows = await conn.fetch(
        """SELECT DISTINCT c.sha FROM outcome_commits c WHERE c.sha = ANY($4::text[])
             AND EXISTS (SELECT 1 FROM outcomes o WHERE o.key = c.key AND o.service = $1 AND o.environment = $2
                         AND o.finished_at < $3)""",
        service,
        env,
        start,
        shas,
    )
    return frozenset(r["sha"] for r in rows)


async def commit_starts(conn: asyncpg.Connection, shas: list[str], mode: str) -> dict[str, datetime]:
    """When each commit's lead time starts: its commit time, or its pull request's first commit or merge
    (falling back to the commit time, then to its first push)."""
    if not shas:
        return {}
    pr_col = {"pr_first_commit": "first_commit_at", "merge": "merged_at"}.get(mode)
    pr_part = "NULL::timestamptz"
    if pr_col:
        pr_part = f"""(SELECT min(p.{pr_col}) FROM pull_requests p
                        WHERE p.merge_sha = s.sha OR p.commit_shas @> ARRAY[s.sha])"""
    rows = await conn.fetch(
        f"""SELECT s.sha, COALESCE({pr_part}, c.committed_at,
                   (SELECT min(b.pushed_at) FROM branch_commits b WHERE b.sha = s.sha)) AS at
            FROM unnest($1::text[]) AS s(sha) LEFT JOIN commits c ON c.sha = s.sha""",
        shas,
    )
    return {r["sha"]: r["at"] for r in rows if r["at"] is not None}


async def hotfix_shas(conn: asyncpg.Connection, repositories: list[str], shas: list[str]) -> frozenset[str]:
    """Which of `shas` belong to a hotfix pull request (few per repository: fetch them, intersect here)."""
    if not shas:
        return frozenset()
    rows = await conn.fetch(
        "SELECT merge_sha, commit_shas FROM pull_requests WHERE is_hotfix AND repository = ANY($1::text[])",
        repositories,
    )
    found: set[str] = set()
    for r in rows:
        found.update(r["commit_shas"])
        if r["merge_sha"]:
            found.add(r["merge_sha"])
    return frozenset(found & set(shas))


async def incidents(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None, aliases: list[str]
) -> list[IncidentFact]:
    """Incidents of the service opened from `start` on (in its environment or none), and any incident
    linked to one of `aliases`."""
    rows = list(
        await conn.fetch(
            """SELECT * FROM incidents WHERE service = $1 AND ($2::timestamptz IS NULL OR opened_at >= $2)
             AND (environment IS NULL OR environment = $3)""",
            service,
            start,
            env,
        )
    )
    rows += await conn.fetch("SELECT * FROM incidents WHERE linked && $1::text[]", aliases)
    unique = {r["id"]: r for r in rows}
    return [
        IncidentFact(
            id=r["id"],
            opened_at=r["opened_at"],
            severity=r["severity"],
            service=r["service"],
            team=r["team"],
            environment=r["environment"],
            resolved_at=r["resolved_at"],
            linked_deployments=tuple(r["linked"]),
        )
        for _, r in sorted(unique.items())
    ]


async def reverts(
    conn: asyncpg.Connection, repositories: list[str], start: datetime | None
) -> list[RevertFact]:
    rows = await conn.fetch(
        """SELECT r.id, r.at, r.sha FROM reverts r
            WHERE r.sha IS NOT NULL AND r.repository = ANY($1::text[]) AND ($2::timestamptz IS NULL OR r.at >= $2)
           UNION
           SELECT r.id, r.at, unnest(p.commit_shas || COALESCE(p.merge_sha, '')) FROM reverts r
             JOIN pull_requests p ON p.repository = r.repository AND p.number = r.pr_number
            WHERE r.repository = ANY($1::text[]) AND ($2::timestamptz IS NULL OR r.at >= $2)""",
        repositories,
        start,
    )
    return [RevertFact(r["id"], r["sha"], r["at"]) for r in rows if r["sha"]]


async def stored_outcomes(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None
) -> dict[str, tuple[Any, ...]]:
    """The outcomes about to be replaced, as comparable tuples (see `outcome_tuple`)."""
    rows = await conn.fetch(
        """SELECT * FROM outcomes WHERE service = $1 AND environment = $2
             AND ($3::timestamptz IS NULL OR finished_at >= $3)""",
        service,
        env,
        start,
    )
    links: dict[str, list[tuple[str, float | None]]] = {}
    for c in await conn.fetch(
        "SELECT key, sha, lead_s FROM outcome_commits WHERE key = ANY($1::text[])", [r["key"] for r in rows]
    ):
        links.setdefault(c["key"], []).append((c["sha"], c["lead_s"]))
    return {
        r["key"]: (
            r["key"],
            r["service"],
            r["environment"],
            r["team"],
            r["repository"],
            r["finished_at"],
            r["day"],
            r["status"],
            r["cause"],
            tuple(r["incident_ids"]),
            r["failure_at"],
            r["recovered_at"],
            r["recovered_by"],
            r["recovery_s"],
            r["rework"],
            r["window_end"],
            tuple(sorted(links.get(r["key"], []))),
        )
        for r in rows
    }


def outcome_tuple(o: Outcome, day: date) -> tuple[Any, ...]:
    """An outcome as one comparable row: 16 outcome columns, then its (sha, lead_s) links by sha."""
    lead = dict(o.leads)
    links = tuple(sorted((sha, lead.get(sha)) for sha in o.commits))
    return (
        o.key,
        o.service,
        o.environment,
        o.team,
        o.repository,
        o.finished_at,
        day,
        o.status,
        o.cause,
        o.incident_ids,
        o.failure_at,
        o.recovered_at,
        o.recovered_by,
        o.recovery_s,
        o.rework,
        o.window_end,
        links,
    )


OUTCOME_COLUMNS = (
    "key",
    "service",
    "environment",
    "team",
    "repository",
    "finished_at",
    "day",
    "status",
    "cause",
    "incident_ids",
    "failure_at",
    "recovered_at",
    "recovered_by",
    "recovery_s",
    "rework",
    "window_end",
)


async def replace_outcomes(
    conn: asyncpg.Connection, service: str, env: str, start: datetime | None, rows: list[tuple[Any, ...]]
) -> None:
    """Replace the partition's outcomes from `start` on (COPY: a full recompute writes many)."""
    keys = [r[0] for r in rows]
    # A deployment that moved partitions (its environment changed) is replaced by key too.
    gone = [
        r["key"]
        for r in await conn.fetch(
            """DELETE FROM outcomes WHERE service = $1 AND environment = $2
           AND ($3::timestamptz IS NULL OR finished_at >= $3) RETURNING key""",
            service,
            env,
            start,
        )
    ]
    gone += [
        r["key"]
        for r in await conn.fetch("DELETE FROM outcomes WHERE key = ANY($1::text[]) RETURNING key", keys)
    ]
    await conn.execute("DELETE FROM outcome_commits WHERE key = ANY($1::text[])", gone)
    if rows:
        await conn.copy_records_to_table(
            "outcomes", records=[r[:16] for r in rows], columns=list(OUTCOME_COLUMNS)
        )
    links = [(r[0], sha, lead) for r in rows for sha, lead in r[16]]
    if links:
        await conn.copy_records_to_table("outcome_commits", records=links, columns=["key", "sha", "lead_s"])


async def pending_due(conn: asyncpg.Connection, now: datetime) -> list[tuple[str, str, datetime]]:
    rows = await conn.fetch(
        """SELECT service, environment, min(finished_at) AS at FROM outcomes
           WHERE status = 'pending' AND window_end <= $1 GROUP BY service, environment""",
        now,
    )
    return [(r["service"], r["environment"], r["at"]) for r in rows]
