"""Day partials per scope, the queue of days to refresh, rollup versions and the rollup outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import asyncpg
import msgspec

from ingest_svc.metrics.domain.figures import DeployRow, IncidentRow

# The column that holds each scope's key; the organisation is one scope key, `all`.
SCOPE_COLUMN = {"service": "service", "team": "team", "repository": "repository", "org": "'all'"}
ORG_KEY = "all"
_decode = msgspec.json.Decoder(dict[str, Any]).decode
_encode = msgspec.json.Encoder().encode

DirtyDay = tuple[str, str, str, date]


async def mark_dirty(conn: asyncpg.Connection, days: Iterable[DirtyDay]) -> None:
    rows = sorted(set(days))
    if rows:
        cols = list(zip(*rows, strict=True))
        await conn.execute(
            """INSERT INTO dirty_days (scope, scope_key, environment, day)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[]) ON CONFLICT DO NOTHING""",
            *[list(c) for c in cols],
        )


async def take_dirty(conn: asyncpg.Connection, limit: int = 5000) -> list[DirtyDay]:
    rows = await conn.fetch(
        """DELETE FROM dirty_days WHERE ctid IN (SELECT ctid FROM dirty_days ORDER BY scope, scope_key, environment,
           day LIMIT $1) RETURNING scope, scope_key, environment, day""",
        limit,
    )
    return [(r["scope"], r["scope_key"], r["environment"], r["day"]) for r in rows]


async def dirty_count(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM dirty_days")


async def deploy_rows(
    conn: asyncpg.Connection, scope: str, key: str, env: str | None, days: list[date]
) -> dict[tuple[date, str], list[DeployRow]]:
    """Outcomes of one scope on `days`, by (day, environment)."""
    col = SCOPE_COLUMN[scope]
    rows = await conn.fetch(
        f"""SELECT o.day, o.environment, o.key, o.status, o.recovery_s, o.rework IS NOT NULL AS rework,
                   o.incident_ids
            FROM outcomes o WHERE {col} = $1 AND ($2::text IS NULL OR o.environment = $2)
              AND o.day = ANY($3::date[])""",
        key,
        env,
        days,
    )
    # Lead times in one query (a correlated subquery per outcome is slow for a whole organisation).
    leads: dict[str, list[tuple[str, float]]] = {}
    for c in await conn.fetch(
        """SELECT key, sha, lead_s FROM outcome_commits WHERE key = ANY($1::text[]) AND lead_s IS NOT NULL
           ORDER BY key, sha""",
        [r["key"] for r in rows],
    ):
        leads.setdefault(c["key"], []).append((c["sha"], c["lead_s"]))
    out: dict[tuple[date, str], list[DeployRow]] = {}
    for r in rows:
        out.setdefault((r["day"], r["environment"]), []).append(
            DeployRow(
                key=r["key"],
                status=r["status"],
                recovery_s=r["recovery_s"],
                rework=r["rework"],
                incident_ids=tuple(r["incident_ids"]),
                leads=tuple(leads.get(r["key"], ())),
            )
        )
    return out


async def incident_rows(
    conn: asyncpg.Connection, scope: str, key: str, env: str | None, days: list[date]
) -> dict[tuple[date, str], list[IncidentRow]]:
    col = SCOPE_COLUMN[scope]
    rows = await conn.fetch(
        f"""SELECT day, COALESCE(environment, 'unspecified') AS environment, id, severity,
                   extract(epoch FROM resolved_at - opened_at)::float8 AS ttr
            FROM incidents WHERE {col} = $1 AND ($2::text IS NULL OR COALESCE(environment, 'unspecified') = $2)
              AND day = ANY($3::date[])""",
        key,
        env,
        days,
    )
    out: dict[tuple[date, str], list[IncidentRow]] = {}
    for r in rows:
        out.setdefault((r["day"], r["environment"]), []).append(IncidentRow(r["id"], r["severity"], r["ttr"]))
    return out


async def write_partials(
    conn: asyncpg.Connection, rows: list[tuple[str, str, str, date, dict[str, Any] | None]]
) -> None:
    """Upsert partials; a None partial (nothing left that day) deletes the row."""
    keep = [r for r in rows if r[4] is not None]
    drop = [r[:4] for r in rows if r[4] is None]
    if keep:
        await conn.execute(
            """INSERT INTO day_partials (scope, scope_key, environment, day, partial)
               SELECT s, k, e, d, p::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[])
                 AS x(s, k, e, d, p)
               ON CONFLICT (scope, scope_key, environment, day) DO UPDATE SET partial = excluded.partial""",
            [r[0] for r in keep],
            [r[1] for r in keep],
            [r[2] for r in keep],
            [r[3] for r in keep],
            [_encode(r[4]).decode() for r in keep],
        )
    if drop:
        await conn.executemany(
            "DELETE FROM day_partials WHERE scope = $1 AND scope_key = $2 AND environment = $3 AND day = $4",
            drop,
        )


async def read_partials(
    conn: asyncpg.Connection, scope: str, key: str, env: str | None, first: date, last: date
) -> list[tuple[date, str, dict[str, Any]]]:
    """Partials of [first, last) for one scope key (all environments unless `env`)."""
    rows = await conn.fetch(
        """SELECT day, environment, partial::text AS partial FROM day_partials WHERE scope = $1 AND scope_key = $2
             AND ($3::text IS NULL OR environment = $3) AND day >= $4 AND day < $5 ORDER BY day, environment""",
        scope,
        key,
        env,
        first,
        last,
    )
    # Decoded with msgspec (several times faster than the pool's json codec on large partials).
    return [(r["day"], r["environment"], _decode(r["partial"])) for r in rows]


async def bump_version(
    conn: asyncpg.Connection, scope: str, key: str, env: str, bucket: str, start: date, digest: str
) -> int | None:
    """The new version when the digest changed, else None (an unchanged bucket publishes nothing)."""
    return await conn.fetchval(
        """INSERT INTO rollup_versions AS v (scope, scope_key, environment, bucket, bucket_start, version, digest)
           VALUES ($1, $2, $3, $4, $5, 1, $6)
           ON CONFLICT (scope, scope_key, environment, bucket, bucket_start)
           DO UPDATE SET version = v.version + 1, digest = excluded.digest WHERE v.digest <> excluded.digest
           RETURNING version""",
        scope,
        key,
        env,
        bucket,
        start,
        digest,
    )


async def enqueue(conn: asyncpg.Connection, events: list[tuple[str, dict[str, Any]]]) -> None:
    if events:
        await conn.executemany(
            "INSERT INTO rollup_outbox (event_id, payload) VALUES ($1, $2) ON CONFLICT DO NOTHING", events
        )


async def outbox(conn: asyncpg.Connection, limit: int = 500) -> list[tuple[str, dict[str, Any]]]:
    rows = await conn.fetch(
        "SELECT event_id, payload FROM rollup_outbox ORDER BY created_at, event_id LIMIT $1", limit
    )
    return [(r["event_id"], r["payload"]) for r in rows]


async def delete_outbox(conn: asyncpg.Connection, ids: list[str]) -> None:
    await conn.execute("DELETE FROM rollup_outbox WHERE event_id = ANY($1::text[])", ids)


async def team_of(conn: asyncpg.Connection, service: str) -> str | None:
    return await conn.fetchval(
        "SELECT team FROM outcomes WHERE service = $1 AND team IS NOT NULL ORDER BY finished_at DESC LIMIT 1",
        service,
    )
