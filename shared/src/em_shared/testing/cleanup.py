"""Removing a namespace's traces from shared servers: tests and benches run side by side on one
PostgreSQL and one NATS, each in its own namespace, and leave them as they found them."""

from __future__ import annotations

import asyncpg
import nats


async def drop_namespace(database_url: str, nats_url: str | None, namespace: str) -> None:
    """Drop the namespace's PostgreSQL schemas (`<ns>_<service>`) and JetStream streams (`<ns>_<NAME>`)."""
    conn = await asyncpg.connect(database_url)
    try:
        for row in await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{namespace}\\_%"
        ):
            await conn.execute(f'DROP SCHEMA IF EXISTS "{row["nspname"]}" CASCADE')
    finally:
        await conn.close()
    if nats_url is None:
        return
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(f"{namespace}_"):
                await js.delete_stream(info.config.name)
    finally:
        await client.drain()
