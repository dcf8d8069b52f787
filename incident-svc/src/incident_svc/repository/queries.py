"""Read side for the API: one incident with its parts, and keyset-paginated lists."""

from __future__ import annotations

from datetime import datetime

import asyncpg

Row = asyncpg.Record


async def alerts_of(conn: asyncpg.Connection, incident_id: str, limit: int = 500) -> list[Row]:
    return await conn.fetch(
        "SELECT * FROM alerts WHERE incident_id = $1 ORDER BY first_seen_at, id LIMIT $2", incident_id, limit
    )


async def timeline_of(conn: asyncpg.Connection, incident_id: str, limit: int = 1000) -> list[Row]:
    return await conn.fetch(
        "SELECT * FROM timeline WHERE incident_id = $1 ORDER BY id LIMIT $2", incident_id, limit
    )


async def list_incidents(
    conn: asyncpg.Connection,
    *,
    state: str | None,
    severity: str | None,
    service: str | None,
    team: str | None,
    since: datetime | None,
    until: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Row]:
    """Newest first by (opened_at, number); `after` is the last row of the previous page."""
    clauses, args = [], []

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    for column, value in (("state", state), ("severity", severity), ("service", service), ("team", team)):
        if value is not None:
            clauses.append(f"{column} = {arg(value)}")
    if since is not None:
        clauses.append(f"opened_at >= {arg(since)}")
    if until is not None:
        clauses.append(f"opened_at < {arg(until)}")
    if after is not None:
        clauses.append(f"(opened_at, number) < ({arg(after[0])}, {arg(after[1])})")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return await conn.fetch(
        f"SELECT * FROM incidents {where} ORDER BY opened_at DESC, number DESC LIMIT {arg(limit)}", *args
    )
