"""The lifecycle-event outbox: written in the change's transaction, deleted once JetStream acked."""

from __future__ import annotations

import asyncpg


async def add(conn: asyncpg.Connection, event_id: str, subject: str, payload: bytes) -> None:
    await conn.execute(
        "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3) "
        "ON CONFLICT (event_id) DO NOTHING",
        event_id,
        subject,
        payload,
    )


async def add_many(conn: asyncpg.Connection, rows: list[tuple[str, str, bytes]]) -> None:
    """(event_id, subject, payload) rows in one statement."""
    await conn.execute(
        """INSERT INTO outbox (event_id, subject, payload)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) ON CONFLICT (event_id) DO NOTHING""",
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
    )


async def delete(conn: asyncpg.Connection | asyncpg.Pool, event_ids: list[str]) -> None:
    await conn.execute("DELETE FROM outbox WHERE event_id = ANY($1::text[])", event_ids)


async def leftovers(
    conn: asyncpg.Connection | asyncpg.Pool, older_than_s: float, limit: int = 500
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT event_id, subject, payload FROM outbox WHERE created_at < now() - make_interval(secs => $1)
           ORDER BY created_at, event_id LIMIT $2""",
        older_than_s,
        limit,
    )
