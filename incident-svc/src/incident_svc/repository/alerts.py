"""Alert rows: the idempotency gate per signal, and the one row per (vendor, external_id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

Row = asyncpg.Record


async def record_signal(
    conn: asyncpg.Connection, event_id: str, alert_id: str, status: str, occurred_at: datetime
) -> bool:
    """False when this event id was already processed (a redelivery): the caller stops there."""
    row = await conn.fetchrow(
        """INSERT INTO alert_signals (event_id, alert_id, status, occurred_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO NOTHING RETURNING 1""",
        event_id,
        alert_id,
        status,
        occurred_at,
    )
    return row is not None


async def insert_new(conn: asyncpg.Connection, values: dict[str, Any]) -> Row | None:
    """Insert the alert unless it exists; None means it exists (then `lock` it).

    No arbiter: the id derives from (vendor, external_id), so racing inserts may trip either index.
    """
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    return await conn.fetchrow(
        f"""INSERT INTO alerts ({", ".join(cols)}) VALUES ({placeholders})
            ON CONFLICT DO NOTHING RETURNING *""",
        *values.values(),
    )


async def lock(conn: asyncpg.Connection, vendor: str, external_id: str) -> Row:
    row = await conn.fetchrow(
        "SELECT * FROM alerts WHERE vendor = $1 AND external_id = $2 FOR UPDATE", vendor, external_id
    )
    assert row is not None
    return row


async def update(
    conn: asyncpg.Connection, alert_id: str, fields: dict[str, Any], *, count: bool = False
) -> Row:
    """Update fields; `count` when the update is a new signal of this alert."""
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    counter = ", signal_count = signal_count + 1" if count else ""
    row = await conn.fetchrow(
        f"UPDATE alerts SET {sets}{counter} WHERE id = $1 RETURNING *", alert_id, *fields.values()
    )
    assert row is not None
    return row


async def count_signal(conn: asyncpg.Connection, alert_id: str) -> None:
    await conn.execute("UPDATE alerts SET signal_count = signal_count + 1 WHERE id = $1", alert_id)
