"""The alert-intake hot path folded into few statements: one round trip takes a signal (idempotency
gate + alert upsert + the locks the next step needs), one attaches or recovers an alert.

Each statement keeps the row-lock order of the step-by-step version (alert row, then incident rows),
so it mixes safely with the command paths. Data-modifying CTEs share one snapshot, which is why the
counts below adjust for the alert the same statement moves instead of re-reading it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from incident_svc.repository import OPEN_STATES_SQL

Row = asyncpg.Record

# Columns a newer signal overwrites on its alert row (the identity columns never change).
ALERT_CHANGES = (
    "status",
    "title",
    "alert_name",
    "service",
    "environment",
    "severity",
    "reported_severity",
    "group_key",
    "labels",
    "url",
    "vendor_state",
    "started_at",
    "ended_at",
    "last_event_at",
)
_IDENTITY = ("id", "vendor", "external_id", "fingerprint", "first_seen_at")
_COLUMNS = _IDENTITY + ALERT_CHANGES
# INSERT ... SELECT does not infer parameter types from the target columns: cast each one.
_CASTS = {"id": "uuid", "labels": "jsonb", "first_seen_at": "timestamptz", "started_at": "timestamptz"}
_CASTS |= {"ended_at": "timestamptz", "last_event_at": "timestamptz"}
_VALUES = ", ".join(f"${i}::{_CASTS.get(c, 'text')}" for i, c in enumerate(_COLUMNS, start=3))
# An out-of-order (older) signal only counts; a newer one overwrites the alert's state.
_UPDATES = ", ".join(
    f"{c} = CASE WHEN alerts.last_event_at <= EXCLUDED.last_event_at THEN EXCLUDED.{c} ELSE alerts.{c} END"
    for c in ALERT_CHANGES
)
_GROUP_ARG = len(_COLUMNS) + 3

TAKE_SIGNAL = f"""
WITH sig AS (
    INSERT INTO alert_signals (event_id, alert_id, status, occurred_at)
    VALUES ($1, $3::uuid, ${3 + _COLUMNS.index("status")}::text, $2)
    ON CONFLICT (event_id) DO NOTHING RETURNING 1
), prev AS (
    SELECT id, status, incident_id, last_event_at FROM alerts
    WHERE vendor = $4 AND external_id = $5 AND EXISTS (SELECT 1 FROM sig) FOR UPDATE
), up AS (
    -- `prev` must lock the row before this upsert changes it (FOR UPDATE skips rows the same
    -- command already modified): referencing it here makes PostgreSQL evaluate it first.
    INSERT INTO alerts ({", ".join(_COLUMNS)}) SELECT {_VALUES}
    WHERE EXISTS (SELECT 1 FROM sig) AND (SELECT count(*) FROM prev) >= 0
    ON CONFLICT (vendor, external_id) DO UPDATE SET {_UPDATES}, signal_count = alerts.signal_count + 1
    RETURNING id, incident_id, status, title, url, signal_count
), cur AS (
    SELECT i AS incident, i.state FROM incidents i JOIN prev ON i.id = prev.incident_id FOR UPDATE OF i
), grp AS (
    SELECT i AS incident FROM incidents i
    WHERE i.group_key = ${_GROUP_ARG} AND i.state IN {OPEN_STATES_SQL} AND EXISTS (SELECT 1 FROM up)
      AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.state IN {OPEN_STATES_SQL})
    FOR UPDATE OF i
)
SELECT up.*, prev.id IS NOT NULL AS existed, prev.status AS prev_status,
       prev.last_event_at AS prev_last_event_at,
       (SELECT incident FROM cur) AS current_incident, (SELECT incident FROM grp) AS group_incident,
       NOT EXISTS (SELECT 1 FROM cur WHERE cur.state IN {OPEN_STATES_SQL}) AS group_looked_up
FROM up LEFT JOIN prev ON true
"""


async def take_signal(
    conn: asyncpg.Connection,
    event_id: str,
    occurred_at: datetime,
    alert: dict[str, Any],
    group_key: str,
) -> Row | None:
    """Record the signal and upsert its alert in one round trip; None for a redelivered event.

    The row carries the alert after the upsert (id, incident_id, status, title, url, signal_count), `existed` / `prev_status` / `prev_last_event_at`
    from before it, the alert's current incident (locked) and, when that one is missing or no longer
    open, the group's open incident (locked; `group_looked_up` says whether it was looked up).
    `existed` false with `signal_count` > 1 means another transaction inserted the alert after this
    statement's snapshot (the upsert then updated it): its previous state is unknown to us.
    """
    return await conn.fetchrow(TAKE_SIGNAL, event_id, occurred_at, *(alert[c] for c in _COLUMNS), group_key)


ATTACH = """
WITH moved AS (
    UPDATE alerts SET incident_id = $2 WHERE id = $1 AND incident_id IS DISTINCT FROM $2
), noted AS (
    INSERT INTO timeline (incident_id, at, kind, actor, via, data)
    SELECT $2, $5::timestamptz, $6::text, $7::text, 'auto', $8::jsonb WHERE $6::text IS NOT NULL
), counted AS (
    SELECT count(*) + 1 AS total,
           count(*) FILTER (WHERE status = 'firing') + CASE WHEN $3 = 'firing' THEN 1 ELSE 0 END AS firing
    FROM alerts WHERE incident_id = $2 AND id <> $1
), due AS (
    SELECT CASE
        WHEN $9 = 'emitted' THEN true
        WHEN $9 = 'claim' AND ($10::text IS NULL OR c.firing > 0 OR i.state = $10) THEN
            i.last_update_event_at IS NULL OR i.last_update_event_at <= now() - make_interval(secs => $11)
        END AS ok
    FROM incidents i, counted c WHERE i.id = $2
)
UPDATE incidents i SET
    alert_count = c.total, firing_count = c.firing, updated_at = now(),
    source_links = CASE WHEN $4::text IS NULL OR $4 = ANY(i.source_links) OR cardinality(i.source_links) >= 10
                        THEN i.source_links ELSE i.source_links || $4::text END,
    update_pending = CASE WHEN due.ok IS NULL THEN i.update_pending ELSE NOT due.ok END,
    last_update_event_at = CASE WHEN due.ok THEN now() ELSE i.last_update_event_at END
FROM counted c, due
WHERE i.id = $2
RETURNING i.*, coalesce(due.ok, false) AS update_due
"""


async def attach(
    conn: asyncpg.Connection,
    alert: Row,
    incident_id: object,
    *,
    at: datetime | None = None,
    kind: str | None = None,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
    slot: str = "none",
    unless_resolving_to: str | None = None,
    interval_s: float = 0.0,
    link: bool = True,
) -> Row:
    """Attach `alert` to the (locked) incident, append an optional timeline entry and recount, in one
    round trip. `slot` is the group_interval bookkeeping: `none`; `emitted` (an `opened` event goes out
    now); `claim` (an `updated` event may go out if none did within `interval_s`: `update_due`, else one
    is owed), skipped when every alert recovered and the incident is about to move to
    `unless_resolving_to`. `link` keeps the alert's vendor URL among the incident's source links."""
    row = await conn.fetchrow(
        ATTACH,
        alert["id"],
        incident_id,
        alert["status"],
        alert["url"] if link else None,
        at,
        kind,
        actor,
        data or {},
        slot,
        unless_resolving_to,
        interval_s,
    )
    assert row is not None
    return row


async def open_for_group(
    conn: asyncpg.Connection, values: dict[str, Any], at: datetime, actor: str, data: dict[str, Any]
) -> Row | None:
    """Open an incident for a grouping key unless one is open (at most one racer gets a row back),
    with its `opened` timeline entry, in one round trip."""
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(4, len(cols) + 4))
    return await conn.fetchrow(
        f"""WITH created AS (
                INSERT INTO incidents ({", ".join(cols)}) VALUES ({placeholders})
                ON CONFLICT (group_key) WHERE state IN {OPEN_STATES_SQL} DO NOTHING RETURNING *
            ), noted AS (
                INSERT INTO timeline (incident_id, at, kind, actor, via, data)
                SELECT id, $1::timestamptz, 'opened', $2::text, 'auto', $3::jsonb FROM created
            )
            SELECT * FROM created""",
        at,
        actor,
        data,
        *values.values(),
    )
