"""State changes shared by alert intake and commands: validate, stamp, timeline, lifecycle event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.severity import sev_label
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.repository import incidents


async def apply_action(
    conn: asyncpg.Connection,
    emitter: Emitter,
    pending: Pending,
    row: asyncpg.Record,
    action: str,
    *,
    actor: str,
    via: str,
    at: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> asyncpg.Record:
    """Move a locked incident by `action`; raises IllegalTransition (409) when not allowed."""
    merged_into = str(row["merged_into"]) if row["merged_into"] else None
    step = lifecycle.transition(row["state"], action, merged_into=merged_into)
    data: dict[str, Any] = {"from": step.from_state, "to": step.to_state, **(details or {})}
    if note:
        data["note"] = note
    new = await incidents.set_state_noted(
        conn,
        row["id"],
        step.to_state,
        lifecycle.timestamp_column(step.to_state),
        at,
        (timeline.STATE_CHANGED, actor, via, data),
    )
    await emitter.record(
        conn,
        pending,
        row["id"],
        step.change,
        actor=actor,
        via=via,
        previous_state=step.from_state,
        details=data,
    )
    return new


async def change_severity(
    conn: asyncpg.Connection,
    emitter: Emitter,
    pending: Pending,
    row: asyncpg.Record,
    severity: str,
    *,
    actor: str,
    via: str,
    at: datetime,
    reason: str | None = None,
) -> asyncpg.Record:
    old = row["severity"]
    new = await incidents.update_fields(conn, row["id"], {"severity": severity})
    data: dict[str, Any] = {
        "from": old,
        "to": severity,
        "from_sev": sev_label(old),
        "to_sev": sev_label(severity),
    }
    if reason:
        data["reason"] = reason
    await incidents.append_timeline(conn, row["id"], at, timeline.SEVERITY_CHANGED, actor, via, data)
    await emitter.record(
        conn,
        pending,
        row["id"],
        "severity_changed",
        actor=actor,
        via=via,
        previous_state=row["state"],
        details=data,
    )
    return new
