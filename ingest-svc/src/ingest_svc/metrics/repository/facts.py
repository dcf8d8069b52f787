"""Fact upserts for a whole batch: natural keys, order-independent merges, one read and one write per table.

A batch's rows are merged among themselves first (duplicates collapse), then with the stored rows
(read once, `FOR UPDATE`), and the changed ones are written with one multi-row statement. Each
merge returns the (before, after) pairs of the rows it changed, so the caller knows which
deployments' classifications to refresh; an unchanged (duplicate) fact returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import asyncpg
import msgspec

Row = dict[str, Any]
Merge = Callable[[Row, Row], Row]
Change = tuple[Row | None, Row]
_encode = msgspec.json.Encoder().encode

# Natural key columns of each merged fact table, and their PostgreSQL types (for the batched read).
KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "deployments": (("key", "text"),),
    "pull_requests": (("repository", "text"), ("number", "int")),
    "incidents": (("id", "text"),),
    "builds": (("key", "text"),),
}


def _newer(a: Row, b: Row, order: tuple[str, ...]) -> bool:
    return tuple(b[k] for k in order) > tuple(a[k] for k in order)


def merge_deployment(old: Row, new: Row) -> Row:
    """A finish beats a start; among equals the later event (then the greater id) wins; aliases union."""
    out = dict(new) if _newer(old, new, ("rank", "event_at", "event_id")) else {k: old[k] for k in new}
    out["aliases"] = sorted(set(old["aliases"]) | set(new["aliases"]))
    return out


def merge_pull_request(old: Row, new: Row) -> Row:
    """Scalars from the latest event; milestones keep their earliest known time; shas union. A merged
    pull request was closed by its merge: an earlier close without merge was undone by a reopen."""
    out = dict(new) if _newer(old, new, ("event_at", "event_id")) else {k: old[k] for k in new}
    for k in ("created_at", "first_commit_at", "first_review_at", "merged_at", "closed_at"):
        known = [v for v in (old[k], new[k]) if v is not None]
        out[k] = min(known) if known else None
    if out["merged_at"] is not None:
        out["closed_at"] = out["merged_at"]
    out["commit_shas"] = sorted(set(old["commit_shas"]) | set(new["commit_shas"]))
    out["is_hotfix"] = old["is_hotfix"] or new["is_hotfix"]
    return out


def merge_incident(old: Row, new: Row) -> Row:
    """The highest sequence wins (incident-svc orders the changes of one incident)."""
    return dict(new) if _newer(old, new, ("sequence", "event_at", "event_id")) else {k: old[k] for k in new}


def merge_build(old: Row, new: Row) -> Row:
    return dict(new) if _newer(old, new, ("event_at", "event_id")) else {k: old[k] for k in new}


MERGES: dict[str, Merge] = {
    "deployments": merge_deployment,
    "pull_requests": merge_pull_request,
    "incidents": merge_incident,
    "builds": merge_build,
}


async def merge_rows(conn: asyncpg.Connection, table: str, rows: Sequence[Row]) -> list[Change]:
    """Merge `rows` (any order, duplicates allowed) into `table`; (before, after) of each changed fact."""
    if not rows:
        return []
    keys = KEYS[table]
    merge = MERGES[table]
    incoming: dict[tuple[Any, ...], Row] = {}
    for r in rows:
        k = tuple(r[c] for c, _ in keys)
        incoming[k] = r if k not in incoming else merge(incoming[k], r)
    found = await _stored(conn, table, keys, list(incoming))
    changes: list[Change] = []
    for k, r in incoming.items():
        old = found.get(k)
        new = r if old is None else merge(old, r)
        if new != old:
            changes.append((old, new))
    await upsert_json(conn, table, [c for c, _ in keys], [new for _, new in changes])
    return changes


async def _stored(
    conn: asyncpg.Connection, table: str, keys: tuple[tuple[str, str], ...], wanted: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], Row]:
    names = [c for c, _ in keys]
    args = [list(col) for col in zip(*wanted, strict=True)]
    source = ", ".join(f"${i}::{t}[]" for i, (_, t) in enumerate(keys, 1))
    on = " AND ".join(f"t.{c} = k.{c}" for c in names)
    rows = await conn.fetch(
        f"SELECT t.* FROM {table} t JOIN unnest({source}) AS k({', '.join(names)}) ON {on} FOR UPDATE OF t",
        *args,
    )
    return {tuple(r[c] for c in names): dict(r) for r in rows}


async def upsert_json(
    conn: asyncpg.Connection, table: str, keys: list[str], rows: Sequence[Row], update: bool = True
) -> None:
    """One multi-row upsert: the rows travel as one JSON array, expanded to the table's row type.

    (`unnest` cannot carry array columns such as `aliases`; `json_populate_recordset` can.) The rows
    must have unique keys: PostgreSQL refuses to update one row twice in a statement.
    """
    if not rows:
        return
    cols = list(rows[0])
    collist = ", ".join(cols)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
    action = f"DO UPDATE SET {updates}" if update and updates else "DO NOTHING"
    await conn.execute(
        f"""INSERT INTO {table} ({collist}) SELECT {collist} FROM json_populate_recordset(NULL::{table}, $1::text::json)
            ON CONFLICT ({", ".join(keys)}) {action}""",
        _encode(rows).decode(),
    )


def _first(rows: Iterable[Row], key: Callable[[Row], Any], order: Callable[[Row], Any]) -> list[Row]:
    """One row per key: the least by `order` (how the upserts below resolve a conflict)."""
    best: dict[Any, Row] = {}
    for r in rows:
        k = key(r)
        if k not in best or order(r) < order(best[k]):
            best[k] = r
    return list(best.values())


async def insert_pushes(
    conn: asyncpg.Connection, branch_rows: list[Row], commit_rows: list[Row], revert_rows: list[Row]
) -> None:
    """A commit keeps its first position on a branch and its first known commit time."""
    branch = _first(
        branch_rows, lambda r: (r["repository"], r["branch"], r["sha"]), lambda r: (r["pushed_at"], r["idx"])
    )
    if branch:
        await conn.execute(
            """INSERT INTO branch_commits (repository, branch, sha, pushed_at, idx)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[])
               ON CONFLICT (repository, branch, sha) DO UPDATE SET pushed_at = excluded.pushed_at, idx = excluded.idx
               WHERE (excluded.pushed_at, excluded.idx) < (branch_commits.pushed_at, branch_commits.idx)""",
            *_columns(branch, ("repository", "branch", "sha", "pushed_at", "idx")),
        )
    commits: dict[str, Row] = {}
    for r in commit_rows:  # the earliest known commit time (LEAST ignores NULLs, so does this)
        old = commits.get(r["sha"])
        known = [t for t in (old and old["committed_at"], r["committed_at"]) if t is not None]
        commits[r["sha"]] = {**(old or r), "committed_at": min(known) if known else None}  # type: ignore[type-var]
    if commits:
        await conn.execute(
            """INSERT INTO commits (sha, repository, committed_at)
               SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
               ON CONFLICT (sha) DO UPDATE SET committed_at = LEAST(commits.committed_at, excluded.committed_at)""",
            *_columns(list(commits.values()), ("sha", "repository", "committed_at")),
        )
    await insert_reverts(conn, revert_rows)


async def insert_reverts(conn: asyncpg.Connection, rows: list[Row]) -> None:
    unique = _first(rows, lambda r: r["id"], lambda r: r["at"])
    if unique:
        await conn.execute(
            """INSERT INTO reverts (id, repository, sha, pr_number, at)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])
               ON CONFLICT (id) DO UPDATE SET at = LEAST(reverts.at, excluded.at)""",
            *_columns(unique, ("id", "repository", "sha", "pr_number", "at")),
        )


async def insert_quality(conn: asyncpg.Connection, rows: list[Row]) -> None:
    unique = list({r["id"]: r for r in rows}.values())
    await upsert_json(conn, "quality_reports", ["id"], unique, update=False)


def _columns(rows: Sequence[Row], cols: tuple[str, ...]) -> list[list[Any]]:
    return [[r[c] for r in rows] for c in cols]


# What a batch can have changed ------------------------------------------------------------------------


async def partitions_reached_by_pushes(
    conn: asyncpg.Connection, since: dict[tuple[str, str], Any]
) -> list[tuple[str, str, Any]]:
    """(service, environment, from) of the production timelines whose commit ranges pushes to each
    (repository, branch) at or after `since` can change.

    A pushed commit lands in the branch order before every commit pushed later, so it can enter the
    range of any deployment of that branch whose deployed commit was pushed at or after it (even a
    deployment that finished earlier: clocks and deliveries disagree); deployments finished after the
    push are refreshed too, from the push on. A deployment naming no ref, or a ref that is no branch of
    its commit (a tag, the sha), takes the branch its commit was pushed to (`timeline.pushed_branches`),
    so a deployment of a pushed commit counts as one of every branch holding it, whatever ref it names."""
    if not since:
        return []
    rows = await conn.fetch(
        """WITH q AS (SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS q(r, b, t)),
           -- commits pushed at or after the push: few (the branch's recent history), so start from them
           later AS MATERIALIZED (SELECT q.r, q.b, c.sha FROM q JOIN branch_commits c
                                   ON c.repository = q.r AND c.branch = q.b AND c.pushed_at >= q.t)
           SELECT service, environment, min(at) AS at FROM (
             SELECT d.service, d.environment, q.t AS at FROM q
               JOIN deployments d ON d.repository = q.r AND d.production AND d.finished_at >= q.t
             UNION ALL
             SELECT d.service, d.environment, d.finished_at FROM later
               JOIN deployments d ON d.sha = later.sha AND d.repository = later.r
                AND d.production AND d.finished_at IS NOT NULL
           ) x GROUP BY service, environment""",
        [r for r, _ in since],
        [b for _, b in since],
        list(since.values()),
    )
    return [(r["service"], r["environment"], r["at"]) for r in rows]


async def full_shas(conn: asyncpg.Connection, short: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For each (repository, abbreviated sha), the one pushed commit it starts; ambiguous or unknown
    abbreviations are left out (the deployment keeps what it was given)."""
    rows = await conn.fetch(
        """SELECT q.r, q.p, min(c.sha) AS sha FROM unnest($1::text[], $2::text[]) AS q(r, p)
           JOIN branch_commits c ON c.sha >= q.p AND c.sha < q.p || 'g' AND left(c.sha, length(q.p)) = q.p
                AND c.repository = q.r
           GROUP BY q.r, q.p HAVING count(DISTINCT c.sha) = 1""",
        [r for r, _ in short],
        [p for _, p in short],
    )
    return {(r["r"], r["p"]): r["sha"] for r in rows}


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


async def pr_shas(conn: asyncpg.Connection, prs: list[tuple[str, int]]) -> list[str]:
    """Every commit (and merge commit) of the pull requests `(repository, number)`."""
    if not prs:
        return []
    rows = await conn.fetch(
        """SELECT p.merge_sha, p.commit_shas FROM pull_requests p
           JOIN unnest($1::text[], $2::int[]) AS k(r, n) ON p.repository = k.r AND p.number = k.n""",
        [r for r, _ in prs],
        [n for _, n in prs],
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


async def production_environments(conn: asyncpg.Connection, services: list[str]) -> dict[str, list[str]]:
    if not services:
        return {}
    rows = await conn.fetch(
        "SELECT DISTINCT service, environment FROM deployments WHERE production AND service = ANY($1::text[])",
        services,
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["service"], []).append(r["environment"])
    return {s: sorted(envs) for s, envs in out.items()}


async def all_partitions(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch("SELECT DISTINCT service, environment FROM deployments WHERE production")
    return sorted((r["service"], r["environment"]) for r in rows)


async def all_incidents(conn: asyncpg.Connection) -> list[Row]:
    return [dict(r) for r in await conn.fetch("SELECT service, team, environment, day FROM incidents")]


async def clear_derived(conn: asyncpg.Connection) -> None:
    """Forget every derived row (outcomes, partials, queue); facts and rollup versions stay."""
    await conn.execute("TRUNCATE outcomes, outcome_commits, day_partials, dirty_days")
