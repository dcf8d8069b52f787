"""The chunk-wide fast path: groups whose signals in a chunk are all first-seen firing alerts joining
the group's open incident are applied with two statements for the whole chunk (repository/first_seen.py)
instead of two per signal. Every other group takes the per-signal path (handlers/intake.py), whole,
so a group's signals never mix the two paths and keep their stream order.

What the per-signal path would do for such a signal, and the fast path does too: record the event,
insert the alert attached to the open incident with an `alert_attached` timeline entry, recount, keep
the vendor URL among the source links, group_interval bookkeeping. It leaves to the per-signal path
anything else a signal may cause: an alert seen before (state changes, out-of-order, re-fire), a
recovery, no open incident (open or reopen), a severity escalation, a vendor acknowledgement, the same
alert or event twice in one chunk. Under group_interval one `updated` per incident and chunk covers
all the chunk's new alerts (the per-signal path sends one for the first and owes one for the rest).
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby

import asyncpg
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id

from incident_svc.domain.rows import alert_row
from incident_svc.domain.severity import rank
from incident_svc.domain.signals import FIRING, AlertFacts
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.repository import first_seen

MAX_LINKS = 10  # as repository/intake.py's attach keeps them


class FirstSeenRace(RuntimeError):
    """Another transaction stored one of the chunk's alerts or events meanwhile: roll back, retry."""


def _candidate_groups(chunk: list[tuple[AlertSignal, AlertFacts]], order: list[int]) -> dict[str, list[int]]:
    """Groups (indexes in stream order) whose every signal could be a first-seen firing alert."""
    alerts = Counter((f.vendor, f.external_id) for _, f in chunk)
    events = Counter(s.id for s, _ in chunk)
    out = {}
    for key, members in groupby(order, key=lambda i: chunk[i][1].group_key):
        indexes = list(members)
        if all(
            chunk[i][1].status == FIRING
            and (chunk[i][0].vendor_state or "").lower() != "acknowledged"
            and alerts[(chunk[i][1].vendor, chunk[i][1].external_id)] == 1
            and events[chunk[i][0].id] == 1
            for i in indexes
        ):
            out[key] = indexes
    return out


async def apply_first_seen(
    conn: asyncpg.Connection,
    emitter: Emitter,
    pending: Pending,
    chunk: list[tuple[AlertSignal, AlertFacts]],
    order: list[int],
    interval_s: float,
) -> set[int]:
    """Apply the chunk's fast groups inside the caller's transaction; returns the indexes applied."""
    groups = _candidate_groups(chunk, order)
    if not groups:
        return set()
    flat = [i for indexes in groups.values() for i in indexes]
    keys = [(chunk[i][1].vendor, chunk[i][1].external_id) for i in flat]
    incidents, known = await first_seen.probe(conn, keys, sorted(groups))
    seen = {flat[k] for k in known}
    alerts: list[first_seen.NewAlert] = []
    links: dict[object, list[str]] = {}
    for key, indexes in groups.items():
        row = incidents.get(key)
        if row is None or any(i in seen for i in indexes):
            continue
        if any(rank(chunk[i][1].severity) < rank(row["severity"]) for i in indexes):
            continue  # an escalation: its own event and timeline entry, per signal
        urls = list(row["source_links"])
        for i in indexes:
            signal, facts = chunk[i]
            alert_id = deterministic_id("alert", facts.vendor, facts.external_id)
            values = alert_row(alert_id, signal, facts)
            note = {"alert_id": alert_id, "external_id": facts.external_id}
            note |= {"title": values["title"], "status": FIRING}
            alerts.append(
                first_seen.NewAlert(signal.id, alert_id, row["id"], signal.occurred_at, values, note)
            )
            if signal.url and signal.url not in urls and len(urls) < MAX_LINKS:
                urls.append(signal.url)
        links[row["id"]] = urls
    if not alerts:
        return set()
    rows, complete = await first_seen.attach_new(conn, alerts, links, interval_s)
    if not complete:
        raise FirstSeenRace("an alert of this chunk was stored concurrently")
    for row in rows:
        if row["update_due"]:
            await emitter.record(
                conn, pending, row["id"], "updated", via="auto", details={"reason": "alerts changed"}
            )
    applied = {a.event_id for a in alerts}
    return {i for i in flat if chunk[i][0].id in applied}
