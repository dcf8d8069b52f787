"""Merge: fold duplicate incidents into a survivor, moving their alerts and deployment links.

Sources end `closed` with `merged_into` set (their timelines stay with them); the survivor gets the
alerts, the most severe severity, and a `merged` timeline entry naming each source.
"""

from __future__ import annotations

import asyncpg
from em_shared.contracts.base import utcnow
from em_shared.messaging.errors import Conflict

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.severity import more_severe
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.transitions import change_severity
from incident_svc.repository import incidents

Row = asyncpg.Record


async def merge_into(
    conn: asyncpg.Connection,
    emitter: Emitter,
    pending: Pending,
    target: Row,
    sources: list[Row],
    *,
    actor: str,
    via: str,
    note: str | None,
) -> None:
    # Lock in id order so two merges touching the same incidents cannot deadlock.
    locked = {}
    for incident_id in sorted({target["id"], *(s["id"] for s in sources)}):
        locked[incident_id] = await incidents.get(conn, incident_id, lock=True)
    target = locked[target["id"]]
    if target["merged_into"] is not None:
        raise Conflict(f"incident #{target['number']} was itself merged into {target['merged_into']}")
    now = utcnow()
    severity = target["severity"]
    for source in (locked[s["id"]] for s in sources):
        if source["merged_into"] is not None:
            raise Conflict(f"incident #{source['number']} is already merged into {source['merged_into']}")
        moved = await incidents.move_alerts(conn, source["id"], target["id"])
        await incidents.copy_deployment_links(conn, source["id"], target["id"])
        previous = source["state"]
        await incidents.update_fields(
            conn,
            source["id"],
            {"merged_into": target["id"], "state": lifecycle.CLOSED, "closed_at": source["closed_at"] or now},
        )
        await incidents.refresh_counts(conn, source["id"])
        data = {"into": str(target["id"]), "into_number": target["number"], "alerts_moved": moved}
        if note:
            data["note"] = note
        await incidents.append_timeline(conn, source["id"], now, timeline.MERGED, actor, via, data)
        await emitter.record(
            conn, pending, source["id"], "merged", actor=actor, via=via, previous_state=previous, details=data
        )
        await incidents.append_timeline(
            conn,
            target["id"],
            now,
            timeline.MERGED,
            actor,
            via,
            {
                "from": str(source["id"]),
                "from_number": source["number"],
                "alerts_moved": moved,
                **({"note": note} if note else {}),
            },
        )
        severity = more_severe(severity, source["severity"])
    target = await incidents.refresh_counts(conn, target["id"])
    if severity != target["severity"]:
        target = await change_severity(
            conn,
            emitter,
            pending,
            target,
            severity,
            actor=actor,
            via=via,
            at=now,
            reason="merged a more severe incident",
        )
    await emitter.record(
        conn,
        pending,
        target["id"],
        "merged",
        actor=actor,
        via=via,
        previous_state=target["state"],
        details={"sources": [str(s["id"]) for s in sources]},
    )
