"""The one advisory lock that serialises refreshes of the metrics schema (per schema, per transaction)."""

from __future__ import annotations

import asyncpg


async def metrics_lock(conn: asyncpg.Connection) -> None:
    # Keyed on the connection's schema (search_path), so two test namespaces never wait on each other.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':metrics-fold'))")
