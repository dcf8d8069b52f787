"""Reads the suffixes of several service/environment timelines at once, for one classification pass.

Every read takes all the partitions a batch touches (arrays joined with `unnest`), so a batch costs
the same dozen round trips whether it touches one timeline or fifty. Reads keyed by sha, branch or
repository may return more than one partition needs; the classification ignores what is not its own
(see `handlers/fold.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ingest_svc.metrics.domain.facts import BranchCommit, DeploymentFact, IncidentFact, RevertFact
from ingest_svc.metrics.domain.rules import GENERIC_PRODUCTION

Partition = tuple[str, str]  # (service, production environment)


@dataclass(frozen=True)
class Start:
    """Where a partition's reclassification starts, and what precedes it."""

    at: datetime | None  # None: the whole timeline
    prev_sha: str | None = None
    prev_recovered_by: str | None = None


def partition_arrays(parts: Mapping[Partition, datetime | None]) -> list[list[Any]]:
    keys = list(parts)
    return [[s for s, _ in keys], [e for _, e in keys], [parts[k] for k in keys]]


async def starts(
    conn: asyncpg.Connection, since: Mapping[Partition, datetime | None]
) -> dict[Partition, Start]:
    """Per partition: the anchor (finish of the last successful deployment strictly before `since`, or
    `since` itself) and the sha / recovered_by of the last successful deployment before the anchor."""
    rows = await conn.fetch(
        """SELECT p.s, p.e, p.t, a.anchor, c.sha, c.recovered_by
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p(s, e, t)
           LEFT JOIN LATERAL (SELECT max(finished_at) AS anchor FROM deployments
                               WHERE production AND service = p.s AND environment = p.e AND status = 'success'
                                 AND finished_at < p.t) a ON true
           LEFT JOIN LATERAL (SELECT d.sha, o.recovered_by FROM deployments d LEFT JOIN outcomes o USING (key)
                               WHERE d.production AND d.service = p.s AND d.environment = p.e
                                 AND d.status = 'success' AND d.finished_at < a.anchor
                               ORDER BY d.finished_at DESC, d.key DESC LIMIT 1) c ON true""",
        *partition_arrays(since),
    )
    out = {}
    for r in rows:
        if r["t"] is None:
            out[(r["s"], r["e"])] = Start(None)
        elif r["anchor"] is None:  # nothing before `since`: nothing precedes it either
            out[(r["s"], r["e"])] = Start(r["t"])
        else:
            out[(r["s"], r["e"])] = Start(r["anchor"], r["sha"], r["recovered_by"])
    return out


async def deployments(
    conn: asyncpg.Connection, start: Mapping[Partition, datetime | None]
) -> dict[Partition, list[DeploymentFact]]:
    """Finished production deployments of each partition from its start, in (finish, key) order, with
    when each one's version was first deployed over the whole history (a rollback redeploys a version
    first deployed before the version it replaces was)."""
    rows = await conn.fetch(
        """SELECT d.*,
                  CASE WHEN d.sha IS NOT NULL THEN
                    (SELECT min(x.finished_at) FROM deployments x WHERE x.production AND x.service = d.service
                      AND x.environment = d.environment AND x.status = 'success' AND x.sha = d.sha)
                  WHEN d.version IS NOT NULL THEN
                    (SELECT min(x.finished_at) FROM deployments x WHERE x.production AND x.service = d.service
                      AND x.environment = d.environment AND x.status = 'success' AND x.sha IS NULL
                      AND x.version = d.version)
                  END AS first_deployed_at
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p(s, e, t)
           CROSS JOIN LATERAL (SELECT * FROM deployments x WHERE x.production AND x.service = p.s
                                  AND x.environment = p.e AND x.finished_at >= COALESCE(p.t, '-infinity')
                                  AND x.status IN ('success', 'failure', 'error')) d
           ORDER BY d.service, d.environment, d.finished_at, d.key""",
        *partition_arrays(start),
    )
    out: dict[Partition, list[DeploymentFact]] = {p: [] for p in start}
    for r in rows:
        out[(r["service"], r["environment"])].append(
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
                version_first_deployed_at=r["first_deployed_at"],
            )
        )
    return out


async def branches(
    conn: asyncpg.Connection, since: Mapping[tuple[str, str], datetime], shas: list[str]
) -> dict[tuple[str, str], list[BranchCommit]]:
    """Commits pushed to each (repository, branch), in push order, from the earliest of its `since` and
    the first push of any of `shas` to it. Starting earlier only prepends commits no range reaches."""
    rows = await conn.fetch(
        """SELECT q.r, q.b, c.sha, c.pushed_at FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS q(r, b, t)
           JOIN LATERAL (SELECT LEAST(q.t, (SELECT min(pushed_at) FROM branch_commits
                                             WHERE repository = q.r AND branch = q.b AND sha = ANY($4::text[])))
                         AS lo) l ON true
           JOIN branch_commits c ON c.repository = q.r AND c.branch = q.b AND c.pushed_at >= l.lo
           ORDER BY q.r, q.b, c.pushed_at, c.idx, c.sha""",
        [r for r, _ in since],
        [b for _, b in since],
        list(since.values()),
        shas,
    )
    out: dict[tuple[str, str], list[BranchCommit]] = {k: [] for k in since}
    for r in rows:
        out[(r["r"], r["b"])].append(BranchCommit(r["sha"], r["pushed_at"]))
    return out


async def pushed_branches(
    conn: asyncpg.Connection, wanted: Mapping[tuple[str, str, str], datetime]
) -> dict[tuple[str, str, str], str]:
    """For each (repository, sha, named ref): the named ref when the commit was ever pushed to it, else
    the branch the commit was last pushed to by the given time (ties: by name). A ref that never held
    the commit (a tag such as `v3.1.0`, the sha itself, or none: `''`) names no branch to read."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (q.r, q.s, q.p) q.r, q.s, q.p, c.branch
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS q(r, s, p, t)
           JOIN branch_commits c ON c.sha = q.s AND c.repository = q.r
                                AND (c.pushed_at <= q.t OR c.branch = q.p)
           ORDER BY q.r, q.s, q.p, (c.branch = q.p) DESC, c.pushed_at DESC, c.branch""",
        [r for r, _, _ in wanted],
        [s for _, s, _ in wanted],
        [p for _, _, p in wanted],
        list(wanted.values()),
    )
    return {(r["r"], r["s"], r["p"]): r["branch"] for r in rows}


async def already_deployed(
    conn: asyncpg.Connection, start: Mapping[Partition, datetime | None], shas: list[str]
) -> dict[Partition, frozenset[str]]:
    """Per partition, which of `shas` a deployment before its start already contained."""
    bounded = {p: t for p, t in start.items() if t is not None}
    if not bounded or not shas:
        return {}
    rows = await conn.fetch(
        """SELECT DISTINCT o.service, o.environment, c.sha FROM outcome_commits c JOIN outcomes o USING (key)
           JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS p(s, e, t)
             ON o.service = p.s AND o.environment = p.e AND o.finished_at < p.t
           WHERE c.sha = ANY($4::text[])""",
        *partition_arrays(bounded),
        shas,
    )
    out: dict[Partition, set[str]] = {}
    for r in rows:
        out.setdefault((r["service"], r["environment"]), set()).add(r["sha"])
    return {p: frozenset(s) for p, s in out.items()}


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
    conn: asyncpg.Connection, start: Mapping[Partition, datetime | None], aliases: list[str]
) -> dict[Partition, list[IncidentFact]]:
    """Per partition: the incidents of its service opened from its start on that concern its environment
    (`rules.incident_concerns`, here in SQL), and every incident linked to one of `aliases`
    (classification keeps only its own links)."""
    rows = await conn.fetch(
        """SELECT p.s AS p_service, p.e AS p_env, i.* FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p(s, e, t)
           JOIN incidents i ON i.service = p.s AND i.opened_at >= COALESCE(p.t, '-infinity')
            AND (i.environment IS NULL OR lower(btrim(i.environment)) = ANY($4::text[])
                 OR lower(btrim(i.environment)) = lower(btrim(p.e)))""",
        *partition_arrays(start),
        list(GENERIC_PRODUCTION),
    )
    linked = (
        await conn.fetch("SELECT * FROM incidents WHERE linked && $1::text[]", aliases) if aliases else []
    )
    found: dict[Partition, dict[str, asyncpg.Record]] = {p: {} for p in start}
    for r in rows:
        found[(r["p_service"], r["p_env"])][r["id"]] = r
    for part in start:
        for r in linked:
            found[part][r["id"]] = r
    return {
        part: [
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
            for _, r in sorted(by_id.items())
        ]
        for part, by_id in found.items()
    }


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
