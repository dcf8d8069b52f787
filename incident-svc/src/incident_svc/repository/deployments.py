"""Deployments consumed from deploy.deployment.finished, and their links to incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from incident_svc.repository import OPEN_STATES_SQL

Row = asyncpg.Record


async def upsert(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    cols = list(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "id")
    await conn.execute(
        f"INSERT INTO deployments ({', '.join(cols)}) VALUES ({placeholders}) ON CONFLICT (id) DO UPDATE SET {updates}",
        *values.values(),
    )


async def get(conn: asyncpg.Connection, deployment_id: str) -> Row | None:
    return await conn.fetchrow("SELECT * FROM deployments WHERE id = $1", deployment_id)


async def latest_before(
    conn: asyncpg.Connection, service: str, environment: str | None, at: datetime, window_s: float
) -> Row | None:
    """The last finished deployment of `service` in (at - window, at]; same environment when both know it."""
    return await conn.fetchrow(
        """SELECT * FROM deployments WHERE service = $1
           AND finished_at <= $3 AND finished_at > $3 - make_interval(secs => $4)
           AND ($2::text IS NULL OR environment IS NULL OR environment = $2)
           ORDER BY finished_at DESC LIMIT 1""",
        service,
        environment,
        at,
        window_s,
    )


async def open_incidents_after(
    conn: asyncpg.Connection, service: str, environment: str | None, finished_at: datetime, window_s: float
) -> list[Row]:
    """Open incidents of `service` that started within the window after a deployment and have no suspect."""
    return await conn.fetch(
        f"""SELECT * FROM incidents WHERE service = $1 AND state IN {OPEN_STATES_SQL}
            AND suspected_deployment_id IS NULL
            AND opened_at >= $3 AND opened_at < $3 + make_interval(secs => $4)
            AND ($2::text IS NULL OR environment IS NULL OR environment = $2)
            ORDER BY opened_at FOR UPDATE""",
        service,
        environment,
        finished_at,
        window_s,
    )


async def link(
    conn: asyncpg.Connection, incident_id: str, deployment_id: str, relation: str, linked_by: str | None
) -> bool:
    row = await conn.fetchrow(
        """INSERT INTO incident_deployments (incident_id, deployment_id, relation, linked_by)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1""",
        incident_id,
        deployment_id,
        relation,
        linked_by,
    )
    return row is not None


async def for_incident(conn: asyncpg.Connection, incident_id: str) -> list[Row]:
    return await conn.fetch(
        """SELECT d.*, l.relation, l.linked_by FROM incident_deployments l
           JOIN deployments d ON d.id = l.deployment_id WHERE l.incident_id = $1
           ORDER BY l.linked_at, d.id""",
        incident_id,
    )
