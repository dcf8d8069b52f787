"""All of ingest-svc's SQL: deliveries, the outbox, the catalog (schema via the pool's search_path)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

_json = msgspec.json.Encoder()


class NewDelivery(msgspec.Struct, frozen=True):
    id: str
    source: str
    instance: str
    dedup_key: str
    event_type: str
    received_at: datetime
    content_type: str | None
    headers: dict[str, str]
    body: bytes
    verification: str
    status: str  # pending | ignored
    # The body as the accept path decoded it (None when it only validated it): never stored, handed
    # to the in-process relay with the committed row so it need not decode the body again.
    payload: Any = None


class Outcome(msgspec.Struct, frozen=True):
    delivery_id: str
    status: str  # published | failed
    event_count: int = 0
    error: str | None = None


# One statement stores a whole group: deliveries that are new get an outbox row (when pending);
# ids already stored (the id is a hash of the transport key) insert nothing and are the only rows
# returned, so the usual answer is no rows at all.
_INSERT_GROUP = """
WITH ins AS (
    INSERT INTO deliveries (id, source, instance, dedup_key, event_type, received_at, content_type, headers,
                            body, verification, status)
    SELECT id, source, instance, dedup_key, event_type, received_at, content_type, headers::jsonb, body,
           verification, status
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                $7::text[], $8::text[], $9::bytea[], $10::text[], $11::text[])
         AS u(id, source, instance, dedup_key, event_type, received_at, content_type, headers, body,
              verification, status)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, status
), ob AS (
    INSERT INTO outbox (delivery_id) SELECT id FROM ins WHERE status = 'pending'
)
SELECT DISTINCT u.id::text FROM unnest($1::uuid[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.id = u.id)
"""


async def insert_group(conn: asyncpg.Connection, rows: list[NewDelivery]) -> set[str]:
    """Store deliveries and their outbox rows; returns the new ids.

    One statement, so it is atomic on its own: outside a transaction it commits by itself (one WAL
    flush, no BEGIN/COMMIT round trips); inside the caller's transaction it joins that one.
    """
    ids = [r.id for r in rows]
    stored_before = await conn.fetch(
        _INSERT_GROUP,
        ids,
        [r.source for r in rows],
        [r.instance for r in rows],
        [r.dedup_key for r in rows],
        [r.event_type for r in rows],
        [r.received_at for r in rows],
        [r.content_type for r in rows],
        # Headers travel as JSON text cast to jsonb by the server: msgspec encodes them far faster
        # than the pool's jsonb codec (json.dumps) would.
        [_json.encode(r.headers).decode() for r in rows],
        [r.body for r in rows],
        [r.verification for r in rows],
        [r.status for r in rows],
    )
    return set(ids).difference(r[0] for r in stored_before) if stored_before else set(ids)


async def claim_outbox(
    conn: asyncpg.Connection, limit: int, skip: list[str] | None = None
) -> list[asyncpg.Record]:
    """Lock up to `limit` ready outbox rows with their deliveries; concurrent relays skip them.

    `skip`: deliveries this process relays from memory next (the scan leaves them alone). Up to
    thousands of ids when the relay is behind: an anti-join (hashed), where `<> ALL(array)` compared
    every outbox row with every id - quadratic, and it made PostgreSQL the bottleneck exactly when
    the relay needed to catch up (measured in docs/performance.md, "Ingest", session 5).
    """
    return await conn.fetch(
        """SELECT d.id::text AS id, d.source, d.instance, d.event_type, d.received_at, d.headers, d.body,
                  d.content_type, o.attempts
           FROM outbox o JOIN deliveries d ON d.id = o.delivery_id
           WHERE o.available_at <= now()
             AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[]) AS s(id) WHERE s.id = o.delivery_id)
           ORDER BY o.enqueued_at, d.received_at
           LIMIT $1
           FOR UPDATE OF o SKIP LOCKED""",
        limit,
        skip or [],
    )


async def claim_ids(conn: asyncpg.Connection, ids: list[str]) -> set[str]:
    """Lock these deliveries' outbox rows (those still there and not locked by another relay)."""
    rows = await conn.fetch(
        "SELECT delivery_id::text AS id FROM outbox WHERE delivery_id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED",
        ids,
    )
    return {r["id"] for r in rows}


async def complete(conn: asyncpg.Connection, outcomes: list[Outcome]) -> None:
    """Record each delivery's outcome and take it out of the outbox (one statement).

    An insert into the narrow outcome table, not an update of the stored delivery (see migration 0003).
    """
    if not outcomes:
        return
    await conn.execute(
        """WITH done AS (
               INSERT INTO delivery_outcomes (delivery_id, status, event_count, error, processed_at)
               SELECT id, status, n, error, now()
               FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) AS u(id, status, n, error)
               ON CONFLICT (delivery_id) DO UPDATE
                   SET status = EXCLUDED.status, event_count = EXCLUDED.event_count,
                       error = EXCLUDED.error, processed_at = EXCLUDED.processed_at
               RETURNING delivery_id
           )
           DELETE FROM outbox WHERE delivery_id IN (SELECT delivery_id FROM done)""",
        [o.delivery_id for o in outcomes],
        [o.status for o in outcomes],
        [o.event_count for o in outcomes],
        [o.error for o in outcomes],
    )


async def reschedule(conn: asyncpg.Connection, ids: list[str], error: str) -> None:
    """Publishing failed (NATS away): try again later, each row after a capped exponential backoff."""
    await conn.execute(
        """UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                  available_at = now() + make_interval(secs => least(30.0, 0.5 * 2 ^ least(attempts, 6)))
           WHERE delivery_id = ANY($1::uuid[])""",
        ids,
        error[:500],
    )


async def requeue(
    pool: asyncpg.Pool,
    source: str | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> int:
    """Put matching stored deliveries back in the outbox (replay); returns how many were queued."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            """SELECT id FROM delivery_states
               WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR status = $2)
                 AND ($3::timestamptz IS NULL OR received_at >= $3) AND ($4::timestamptz IS NULL OR received_at < $4)
               ORDER BY received_at LIMIT $5""",
            source,
            status,
            since,
            until,
            limit,
        )
        ids = [r["id"] for r in rows]
        if ids:
            await conn.execute("DELETE FROM delivery_outcomes WHERE delivery_id = ANY($1::uuid[])", ids)
            await conn.execute(  # rows stored before migration 0003 may still carry their outcome here
                "UPDATE deliveries SET status = 'pending' WHERE id = ANY($1::uuid[]) AND status <> 'pending'",
                ids,
            )
            await conn.execute(
                "INSERT INTO outbox (delivery_id) SELECT unnest($1::uuid[]) ON CONFLICT (delivery_id) DO NOTHING",
                ids,
            )
        return len(ids)


async def delivery(pool: asyncpg.Pool, delivery_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        """SELECT id::text AS id, source, instance, dedup_key, event_type, received_at, content_type, headers,
                  verification, status, error, event_count, processed_at FROM delivery_states WHERE id = $1::uuid""",
        delivery_id,
    )
    return dict(row) if row else None


async def list_catalog(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return [r["doc"] for r in await pool.fetch("SELECT doc FROM catalog_services ORDER BY name")]


async def upsert_catalog(pool: asyncpg.Pool, docs: list[dict[str, Any]]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for doc in docs:
            await conn.execute(
                """INSERT INTO catalog_services (name, doc) VALUES ($1, $2)
                   ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc, updated_at = now()""",
                doc["name"],
                doc,
            )


async def delete_catalog(pool: asyncpg.Pool, name: str) -> bool:
    return await pool.execute("DELETE FROM catalog_services WHERE name = $1", name) != "DELETE 0"
