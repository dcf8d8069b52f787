"""A chunk's first-seen firing alerts joining their groups' open incidents, in two statements for the
whole chunk instead of two per signal: the storm case (a 50-alert Alertmanager group is one lane's
work) and most of a busy intake.

`probe` locks the open incidents of the candidate groups and says which alerts already exist;
`attach_new` records the signals, inserts the alerts already attached, appends their timeline entries
and recounts each incident, all in one statement. Data-modifying CTEs share one snapshot, so the
recount adds the alerts this statement inserts to those it can see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec

from incident_svc.repository import OPEN_STATES_SQL

Row = asyncpg.Record
_json = msgspec.json.Encoder()

PROBE = f"""
SELECT i.*, ARRAY(
    SELECT p.ord::int FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p(vendor, external_id, ord)
    JOIN alerts a ON a.vendor = p.vendor AND a.external_id = p.external_id
) AS known
FROM incidents i WHERE i.group_key = ANY($3::text[]) AND i.state IN {OPEN_STATES_SQL}
ORDER BY i.group_key
FOR UPDATE OF i
"""


async def probe(
    conn: asyncpg.Connection, keys: Sequence[tuple[str, str]], group_keys: Sequence[str]
) -> tuple[dict[str, Row], set[int]]:
    """The open incidents (locked) of `group_keys` by key, and the indexes into `keys` of the
    (vendor, external_id) pairs that already have an alert row. Locks are taken in key order."""
    rows = await conn.fetch(PROBE, [v for v, _ in keys], [e for _, e in keys], list(group_keys))
    known = {i - 1 for i in rows[0]["known"]} if rows else set()
    return {r["group_key"]: r for r in rows}, known


@dataclass(frozen=True)
class NewAlert:
    """One first-seen firing alert and the signal that brought it, attaching to `incident_id`."""

    event_id: str
    alert_id: str
    incident_id: object
    occurred_at: datetime
    row: dict[str, object]  # repository/intake.py's alert columns (domain/rows.alert_row)
    note: dict[str, object]  # the `alert_attached` timeline entry's data


_ALERT_COLUMNS = (
    "vendor",
    "external_id",
    "fingerprint",
    "title",
    "alert_name",
    "service",
    "environment",
    "severity",
    "reported_severity",
    "group_key",
    "url",
    "vendor_state",
)

ATTACH_NEW = f"""
WITH input AS (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[],
                         $6::timestamptz[], $7::text[], $8::text[],
                         {", ".join(f"${i}::text[]" for i in range(9, 9 + len(_ALERT_COLUMNS)))})
        WITH ORDINALITY AS u(event_id, alert_id, incident_id, occurred_at, started_at, ended_at, labels, note,
                             {", ".join(_ALERT_COLUMNS)}, ord)
), sig AS (
    INSERT INTO alert_signals (event_id, alert_id, status, occurred_at)
    SELECT event_id, alert_id, 'firing', occurred_at FROM input ORDER BY ord
    ON CONFLICT (event_id) DO NOTHING RETURNING 1
), up AS (
    INSERT INTO alerts (id, {", ".join(_ALERT_COLUMNS)}, status, labels, started_at, ended_at, first_seen_at,
                        last_event_at, incident_id)
    SELECT alert_id, {", ".join(_ALERT_COLUMNS)}, 'firing', labels::jsonb, started_at, ended_at, occurred_at,
           occurred_at, incident_id
    FROM input ORDER BY ord
    ON CONFLICT (vendor, external_id) DO NOTHING RETURNING 1
), noted AS (
    INSERT INTO timeline (incident_id, at, kind, actor, via, data)
    SELECT incident_id, occurred_at, 'alert_attached', vendor, 'auto', note::jsonb FROM input ORDER BY ord
), per AS (
    SELECT incident_id, count(*) AS n FROM input GROUP BY incident_id
), counted AS (
    SELECT per.incident_id,
           per.n + (SELECT count(*) FROM alerts a WHERE a.incident_id = per.incident_id) AS total,
           per.n + (SELECT count(*) FROM alerts a WHERE a.incident_id = per.incident_id
                                                     AND a.status = 'firing') AS firing
    FROM per
), links AS (
    SELECT * FROM unnest($21::uuid[], $22::text[]) AS l(incident_id, links)
), due AS (
    SELECT i.id, (i.last_update_event_at IS NULL
                  OR i.last_update_event_at <= now() - make_interval(secs => $23)) AS ok
    FROM incidents i JOIN per ON i.id = per.incident_id
)
UPDATE incidents i SET
    alert_count = c.total, firing_count = c.firing, updated_at = now(),
    source_links = ARRAY(SELECT jsonb_array_elements_text(l.links::jsonb)),
    update_pending = NOT due.ok,
    last_update_event_at = CASE WHEN due.ok THEN now() ELSE i.last_update_event_at END
FROM counted c JOIN due ON due.id = c.incident_id JOIN links l ON l.incident_id = c.incident_id
WHERE i.id = c.incident_id
RETURNING i.id, due.ok AS update_due, (SELECT count(*) FROM sig) AS signals_in,
          (SELECT count(*) FROM up) AS alerts_in
"""


async def attach_new(
    conn: asyncpg.Connection, alerts: Sequence[NewAlert], links: dict[object, list[str]], interval_s: float
) -> tuple[list[Row], bool]:
    """Record, insert and attach `alerts` (all first-seen, firing) and recount their incidents (locked
    by `probe`); `links` is each incident's new `source_links`. Returns the incidents (`update_due`: an
    `updated` event goes out now under group_interval, else one is owed) and whether every signal and
    alert went in: False means another transaction stored one of them meanwhile, and the caller must
    roll back (the statement's other changes assumed they were new)."""
    columns = [[a.row[c] for a in alerts] for c in _ALERT_COLUMNS]
    rows = await conn.fetch(
        ATTACH_NEW,
        [a.event_id for a in alerts],
        [a.alert_id for a in alerts],
        [a.incident_id for a in alerts],
        [a.occurred_at for a in alerts],
        [a.row["started_at"] for a in alerts],
        [a.row["ended_at"] for a in alerts],
        [_json.encode(a.row["labels"]).decode() for a in alerts],
        [_json.encode(a.note).decode() for a in alerts],
        *columns,
        list(links),
        [_json.encode(v).decode() for v in links.values()],
        interval_s,
    )
    complete = bool(rows) and rows[0]["signals_in"] == len(alerts) and rows[0]["alerts_in"] == len(alerts)
    return rows, complete
