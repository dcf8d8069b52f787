"""The derived classification rows: read the ones a pass may replace, write back only those that changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from ingest_svc.metrics.domain.facts import Outcome
from ingest_svc.metrics.repository.facts import upsert_json
from ingest_svc.metrics.repository.timeline import Partition, partition_arrays

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
# Above this many rows COPY beats one JSON statement (a full recompute writes whole timelines).
COPY_FROM = 500


def outcome_tuple(o: Outcome, day: date) -> tuple[Any, ...]:
    """An outcome as one comparable row: the 16 outcome columns, then its (sha, lead_s) links by sha."""
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


async def stored(
    conn: asyncpg.Connection, start: Mapping[Partition, datetime | None]
) -> dict[Partition, dict[str, tuple[Any, ...]]]:
    """The stored outcomes of each partition from its start on, as comparable tuples (`outcome_tuple`)."""
    rows = await conn.fetch(
        """SELECT o.*, COALESCE(l.shas, '{}') AS shas, COALESCE(l.leads, '{}') AS leads
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS p(s, e, t)
           JOIN outcomes o ON o.service = p.s AND o.environment = p.e AND o.finished_at >= COALESCE(p.t, '-infinity')
           LEFT JOIN LATERAL (SELECT array_agg(c.sha ORDER BY c.sha) AS shas, array_agg(c.lead_s ORDER BY c.sha) AS leads
                              FROM outcome_commits c WHERE c.key = o.key) l ON true""",
        *partition_arrays(start),
    )
    out: dict[Partition, dict[str, tuple[Any, ...]]] = {p: {} for p in start}
    for r in rows:
        out[(r["service"], r["environment"])][r["key"]] = (
            *(r[c] if c != "incident_ids" else tuple(r[c]) for c in OUTCOME_COLUMNS),
            tuple(zip(r["shas"], r["leads"], strict=True)),
        )
    return out


async def write(
    conn: asyncpg.Connection, keys: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Replace the outcomes of `keys` by `rows` (a subset of them: the others are gone).

    Returns the deleted rows' first seven columns, so that a deployment which moved to another
    partition (its environment changed) also marks the days it left."""
    if not keys:
        return []
    removed = await conn.fetch(
        """DELETE FROM outcomes WHERE key = ANY($1::text[])
           RETURNING key, service, environment, team, repository, finished_at, day""",
        list(keys),
    )
    await conn.execute("DELETE FROM outcome_commits WHERE key = ANY($1::text[])", list(keys))
    links = [(r[0], sha, lead) for r in rows for sha, lead in r[16]]
    if len(rows) >= COPY_FROM:
        await conn.copy_records_to_table(
            "outcomes", records=[r[:16] for r in rows], columns=list(OUTCOME_COLUMNS)
        )
    else:
        await upsert_json(
            conn, "outcomes", ["key"], [dict(zip(OUTCOME_COLUMNS, r[:16], strict=True)) for r in rows]
        )
    if len(links) >= COPY_FROM:
        await conn.copy_records_to_table("outcome_commits", records=links, columns=["key", "sha", "lead_s"])
    elif links:
        await conn.execute(
            """INSERT INTO outcome_commits (key, sha, lead_s)
               SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])""",
            [k for k, _, _ in links],
            [s for _, s, _ in links],
            [v for _, _, v in links],
        )
    return [tuple(r) for r in removed]


async def pending_due(conn: asyncpg.Connection, now: datetime) -> list[tuple[str, str, datetime]]:
    rows = await conn.fetch(
        """SELECT service, environment, min(finished_at) AS at FROM outcomes
           WHERE status = 'pending' AND window_end <= $1 GROUP BY service, environment""",
        now,
    )
    return [(r["service"], r["environment"], r["at"]) for r in rows]
