"""Suspected change: the last deployment of the incident's service shortly before it opened."""

from __future__ import annotations

import asyncpg

from incident_svc.domain import timeline
from incident_svc.repository import deployments, incidents


async def attach_suspect(conn: asyncpg.Connection, incident: asyncpg.Record, window_s: float) -> str | None:
    """Link the suspect (if any) to a freshly opened incident, inside its transaction."""
    if not incident["service"]:
        return None
    found = await deployments.latest_before(
        conn, incident["service"], incident["environment"], incident["opened_at"], window_s
    )
    if found is None:
        return None
    await link_suspect(conn, incident, found)
    return str(found["id"])


async def link_suspect(
    conn: asyncpg.Connection, incident: asyncpg.Record, deployment: asyncpg.Record
) -> None:
    await deployments.link(conn, incident["id"], deployment["id"], "suspected", "auto")
    await incidents.update_fields(conn, incident["id"], {"suspected_deployment_id": deployment["id"]})
    lead_s = (incident["opened_at"] - deployment["finished_at"]).total_seconds()
    await incidents.append_timeline(
        conn,
        incident["id"],
        incident["opened_at"],
        timeline.SUSPECTED_DEPLOYMENT,
        "auto",
        "auto",
        {
            "deployment_id": deployment["id"],
            "service": deployment["service"],
            "version": deployment["version"],
            "sha": deployment["sha"],
            "finished_at": deployment["finished_at"].isoformat(),
            "seconds_before_incident": round(lead_s, 1),
        },
    )
