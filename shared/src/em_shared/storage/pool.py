"""asyncpg pool bound to one service's schema via `search_path`, so SQL names tables unqualified."""

from __future__ import annotations

import json
from typing import Any

import asyncpg


def schema_name(service: str, namespace: str = "") -> str:
    """`incident`, or `t1a2_incident` inside a namespace (tests, tenants)."""
    name = f"{namespace}_{service}" if namespace else service
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid schema name {name!r}")
    return name.lower()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb <-> Python objects, so repositories never json.dumps by hand.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(
    dsn: str, schema: str, min_size: int = 1, max_size: int = 10, **kwargs: Any
) -> asyncpg.Pool:
    """A pool whose every connection searches `schema` first, then `public` (for extensions)."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": f"{schema},public", "application_name": f"em-{schema}"},
        init=_init_connection,
        command_timeout=30,
        **kwargs,
    )
