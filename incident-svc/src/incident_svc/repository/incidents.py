"""Incident rows: locking, the race-safe insert per grouping key, state and field updates, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from incident_svc.repository import OPEN_STATES_SQL

Row = asyncpg.Record

_UPDATABLE = frozenset(
    {
        "title",
        "severity",
        "assignee",
        "summary",
        "service",
        "team",
        "environment",
        "suspected_deployment_id",
        "merged_into",
        "state",
        "closed_at",
    }
)


async def get(conn: asyncpg.Connection, incident_id: str, *, lock: bool = False) -> Row | None:
    return await conn.fetchrow(
        f"SELECT * FROM incidents WHERE id = $1{' FOR UPDATE' if lock else ''}", incident_id
    )


async def get_by_number(conn: asyncpg.Connection, number: int, *, lock: bool = False) -> Row | None:
    return await conn.fetchrow(
        f"SELECT * FROM incidents WHERE number = $1{' FOR UPDATE' if lock else ''}", number
    )


async def lock_open_for_group(conn: asyncpg.Connection, group_key: str) -> Row | None:
    return await conn.fetchrow(
        f"SELECT * FROM incidents WHERE group_key = $1 AND state IN {OPEN_STATES_SQL} FOR UPDATE", group_key
    )


async def lock_recent_resolved(conn: asyncpg.Connection, group_key: str, since: datetime) -> Row | None:
    return await conn.fetchrow(
        """SELECT * FROM incidents WHERE group_key = $1 AND state = 'resolved' AND resolved_at >= $2
           AND merged_into IS NULL ORDER BY resolved_at DESC LIMIT 1 FOR UPDATE""",
        group_key,
        since,
    )


async def insert(conn: asyncpg.Connection, values: dict[str, Any]) -> Row:
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    row = await conn.fetchrow(
        f"INSERT INTO incidents ({', '.join(cols)}) VALUES ({placeholders}) RETURNING *", *values.values()
    )
    assert row is not None
    return row


async def set_state_noted(
    conn: asyncpg.Connection,
    incident_id: str,
    state: str,
    stamp_column: str | None,
    at: datetime,
    note: tuple[str, str | None, str | None, dict[str, Any]],
) -> Row:
    """`set_state` and its timeline entry (kind, actor, via, data) in one round trip."""
    if state == "triggered":
        sets = "acknowledged_at = NULL, mitigated_at = NULL, resolved_at = NULL, closed_at = NULL"
    else:
        assert stamp_column is not None
        sets = f"{stamp_column} = $3"
    row = await conn.fetchrow(
        f"""WITH noted AS (
                INSERT INTO timeline (incident_id, at, kind, actor, via, data)
                VALUES ($1, $3::timestamptz, $4, $5, $6, $7::jsonb)
            )
            UPDATE incidents SET state = $2, {sets}, updated_at = now() WHERE id = $1 RETURNING *""",
        incident_id,
        state,
        at,
        *note,
    )
    assert row is not None
    return row


async def update_fields(conn: asyncpg.Connection, incident_id: str, fields: dict[str, Any]) -> Row:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    row = await conn.fetchrow(
        f"UPDATE incidents SET {sets}, updated_at = now() WHERE id = $1 RETURNING *",
        incident_id,
        *fields.values(),
    )
    assert row is not None
    return row


async def refresh_counts(conn: asyncpg.Connection, incident_id: str, source_link: str | None = None) -> Row:
    """Recount attached and firing alerts (cheap: alerts_by_incident index) and keep a few vendor links."""
    row = await conn.fetchrow(
        """UPDATE incidents i SET
               alert_count = c.total, firing_count = c.firing, updated_at = now(),
               source_links = CASE WHEN $2::text IS NULL OR $2 = ANY(i.source_links)
                                        OR cardinality(i.source_links) >= 10
                                   THEN i.source_links ELSE i.source_links || $2::text END
           FROM (SELECT count(*) AS total, count(*) FILTER (WHERE status = 'firing') AS firing
                 FROM alerts WHERE incident_id = $1) c
           WHERE i.id = $1 RETURNING i.*""",
        incident_id,
        source_link,
    )
    assert row is not None
    return row


async def next_sequence(conn: asyncpg.Connection, incident_id: str) -> Row:
    """Claim the next lifecycle sequence number; returns the current row (with `linked_ids`) for the snapshot."""
    row = await conn.fetchrow(
        """UPDATE incidents SET sequence = sequence + 1 WHERE id = $1
           RETURNING *, ARRAY(SELECT deployment_id FROM incident_deployments d WHERE d.incident_id = $1
                              ORDER BY linked_at, deployment_id) AS linked_ids""",
        incident_id,
    )
    assert row is not None
    return row


async def note_update(conn: asyncpg.Connection, incident_id: str, *, emitted: bool) -> None:
    """group_interval bookkeeping: either an `updated` event went out now, or one is owed."""
    if emitted:
        await conn.execute(
            "UPDATE incidents SET update_pending = false, last_update_event_at = now() WHERE id = $1",
            incident_id,
        )
    else:
        await conn.execute("UPDATE incidents SET update_pending = true WHERE id = $1", incident_id)


async def lock_owed_updates(conn: asyncpg.Connection, interval_s: float, limit: int = 100) -> list[Row]:
    return await conn.fetch(
        """SELECT * FROM incidents WHERE update_pending
           AND (last_update_event_at IS NULL OR last_update_event_at < now() - make_interval(secs => $1))
           ORDER BY last_update_event_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
        interval_s,
        limit,
    )


async def append_timeline(
    conn: asyncpg.Connection,
    incident_id: str,
    at: datetime,
    kind: str,
    actor: str | None,
    via: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO timeline (incident_id, at, kind, actor, via, data) VALUES ($1, $2, $3, $4, $5, $6)",
        incident_id,
        at,
        kind,
        actor,
        via,
        data or {},
    )


async def linked_deployment_ids(conn: asyncpg.Connection, incident_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT deployment_id FROM incident_deployments WHERE incident_id = $1 ORDER BY linked_at, deployment_id",
        incident_id,
    )
    return [r["deployment_id"] for r in rows]


async def move_alerts(conn: asyncpg.Connection, source_id: str, target_id: str) -> int:
    result = await conn.execute(
        "UPDATE alerts SET incident_id = $2 WHERE incident_id = $1", source_id, target_id
    )
    return int(result.split()[-1])


async def copy_deployment_links(conn: asyncpg.Connection, source_id: str, target_id: str) -> None:
    await conn.execute(
        """INSERT INTO incident_deployments (incident_id, deployment_id, relation, linked_by, linked_at)
           SELECT $2, deployment_id, relation, linked_by, linked_at FROM incident_deployments
           WHERE incident_id = $1 ON CONFLICT DO NOTHING""",
        source_id,
        target_id,
    )
