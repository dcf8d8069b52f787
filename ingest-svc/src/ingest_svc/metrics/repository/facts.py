"""Fact upserts: natural keys, order-independent merges, so duplicates and reordering are no-ops.

Each upsert returns the stored row before and after, so the caller knows what changed and which
deployments' classifications to refresh.
"""

from __future__ import annotations

from typing import Any

import asyncpg

Row = dict[str, Any]


def _upsert_sql(table: str, row: Row, keys: tuple[str, ...]) -> str:
    cols = list(row)
    values = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({values}) ON CONFLICT ({', '.join(keys)}) {action}"
    )


async def _merge(
    conn: asyncpg.Connection, table: str, keys: tuple[str, ...], row: Row, merge: Any
) -> tuple[Row | None, Row]:
    where = " AND ".join(f"{k} = ${i}" for i, k in enumerate(keys, 1))
    found = await conn.fetchrow(f"SELECT * FROM {table} WHERE {where} FOR UPDATE", *(row[k] for k in keys))
    old = dict(found) if found is not None else None
    new = row if old is None else merge(old, row)
    if new != old:
        await conn.execute(_upsert_sql(table, new, keys), *new.values())
    return old, new


def _newer(a: Row, b: Row, order: tuple[str, ...]) -> bool:
    return tuple(b[k] for k in order) > tuple(a[k] for k in order)


async def upsert_deployment(conn: asyncpg.Connection, row: Row) -> tuple[Row | None, Row]:
    """A finish beats a start; among equals the later event (then the greater id) wins; aliases union."""

    def merge(old: Row, new: Row) -> Row:
        out = dict(new) if _newer(old, new, ("rank", "event_at", "event_id")) else {k: old[k] for k in new}
        out["aliases"] = sorted(set(old["aliases"]) | set(new["aliases"]))
        return out

    return await _merge(conn, "deployments", ("key",), row, merge)


async def upsert_pull_request(conn: asyncpg.Connection, row: Row) -> tuple[Row | None, Row]:
    """Scalars from the latest event; milestones keep their earliest known time; shas union."""

    def merge(old: Row, new: Row) -> Row:
        out = dict(new) if _newer(old, new, ("event_at", "event_id")) else {k: old[k] for k in new}
        for k in ("created_at", "first_commit_at", "first_review_at", "merged_at", "closed_at"):
            known = [v for v in (old[k], new[k]) if v is not None]
            out[k] = min(known) if known else None
        out["commit_shas"] = sorted(set(old["commit_shas"]) | set(new["commit_shas"]))
        out["is_hotfix"] = old["is_hotfix"] or new["is_hotfix"]
        return out

    return await _merge(conn, "pull_requests", ("repository", "number"), row, merge)


async def upsert_incident(conn: asyncpg.Connection, row: Row) -> tuple[Row | None, Row]:
    """The highest sequence wins (incident-svc orders the changes of one incident)."""

    def merge(old: Row, new: Row) -> Row:
        return (
            dict(new) if _newer(old, new, ("sequence", "event_at", "event_id")) else {k: old[k] for k in new}
        )

    return await _merge(conn, "incidents", ("id",), row, merge)


async def upsert_build(conn: asyncpg.Connection, row: Row) -> None:
    def merge(old: Row, new: Row) -> Row:
        return dict(new) if _newer(old, new, ("event_at", "event_id")) else {k: old[k] for k in new}

    await _merge(conn, "builds", ("key",), row, merge)


async def insert_quality(conn: asyncpg.Connection, row: Row) -> None:
    cols = list(row)
    values = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    await conn.execute(
        f"INSERT INTO quality_reports ({', '.join(cols)}) VALUES ({values}) ON CONFLICT (id) DO NOTHING",
        *row.values(),
    )


async def insert_push(
    conn: asyncpg.Connection, branch_rows: list[Row], commit_rows: list[Row], revert_rows: list[Row]
) -> None:
    """A commit keeps its first position on a branch and its first known commit time."""
    await conn.executemany(
        """INSERT INTO branch_commits (repository, branch, sha, pushed_at, idx) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (repository, branch, sha) DO UPDATE SET pushed_at = excluded.pushed_at, idx = excluded.idx
           WHERE (excluded.pushed_at, excluded.idx) < (branch_commits.pushed_at, branch_commits.idx)""",
        [(r["repository"], r["branch"], r["sha"], r["pushed_at"], r["idx"]) for r in branch_rows],
    )
    await conn.executemany(
        """INSERT INTO commits (sha, repository, committed_at) VALUES ($1, $2, $3)
           ON CONFLICT (sha) DO UPDATE SET committed_at = LEAST(commits.committed_at, excluded.committed_at)""",
        [(r["sha"], r["repository"], r["committed_at"]) for r in commit_rows],
    )
    await insert_reverts(conn, revert_rows)


async def insert_reverts(conn: asyncpg.Connection, rows: list[Row]) -> None:
    await conn.executemany(
        """INSERT INTO reverts (id, repository, sha, pr_number, at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET at = LEAST(reverts.at, excluded.at)""",
        [(r["id"], r["repository"], r["sha"], r["pr_number"], r["at"]) for r in rows],
    )


async def partitions_deployed_since(
    conn: asyncpg.Connection, repository: str, since: Any
) -> list[tuple[str, str]]:
    """Production timelines of `repository` with a deployment finished at or after `since`."""
    rows = await conn.fetch(
        """SELECT DISTINCT service, environment FROM deployments
           WHERE repository = $1 AND production AND finished_at >= $2""",
        repository,
        since,
    )
    return [(r["service"], r["environment"]) for r in rows]


async def earliest_containing(conn: asyncpg.Connection, shas: list[str]) -> dict[tuple[str, str], Any]:
    """Per (service, environment): the earliest production deployment that deploys or contains a sha."""
    if not shas:
        return {}
    rows = await conn.fetch(
        """SELECT service, environment, min(finished_at) AS at FROM (
             SELECT o.service, o.environment, o.finished_at FROM outcome_commits c JOIN outcomes o USING (key)
              WHERE c.sha = ANY($1::text[])
             UNION ALL
             SELECT service, environment, finished_at FROM deployments
              WHERE production AND finished_at IS NOT NULL AND sha = ANY($1::text[])
             UNION ALL
             SELECT service, environment, finished_at FROM deployments
              WHERE production AND finished_at IS NOT NULL AND commit_range && $1::text[]
           ) x GROUP BY service, environment""",
        shas,
    )
    return {(r["service"], r["environment"]): r["at"] for r in rows}


async def pr_shas(conn: asyncpg.Connection, repository: str, numbers: list[int]) -> list[str]:
    rows = await conn.fetch(
        "SELECT merge_sha, commit_shas FROM pull_requests WHERE repository = $1 AND number = ANY($2::int[])",
        repository,
        numbers,
    )
    out: set[str] = set()
    for r in rows:
        out.update(r["commit_shas"])
        if r["merge_sha"]:
            out.add(r["merge_sha"])
    return sorted(out)


async def deployments_by_alias(conn: asyncpg.Connection, aliases: list[str]) -> list[Row]:
    if not aliases:
        return []
    rows = await conn.fetch(
        """SELECT service, environment, finished_at FROM deployments
           WHERE production AND finished_at IS NOT NULL AND aliases && $1::text[]""",
        aliases,
    )
    return [dict(r) for r in rows]


async def production_environments(conn: asyncpg.Connection, service: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT environment FROM deployments WHERE production AND service = $1", service
    )
    return sorted(r["environment"] for r in rows)


async def all_partitions(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch("SELECT DISTINCT service, environment FROM deployments WHERE production")
    return sorted((r["service"], r["environment"]) for r in rows)


async def all_incidents(conn: asyncpg.Connection) -> list[Row]:
    return [dict(r) for r in await conn.fetch("SELECT service, team, environment, day FROM incidents")]


async def clear_derived(conn: asyncpg.Connection) -> None:
    """Forget every derived row (outcomes, partials, queue); facts and rollup versions stay."""
    await conn.execute("TRUNCATE outcomes, outcome_commits, day_partials, dirty_days")
