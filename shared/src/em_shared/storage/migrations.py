"""Forward-only numbered `.sql` migrations, one PostgreSQL schema per service.

Files are `NNNN_description.sql`, applied in order, each in its own transaction, under a
transaction-level advisory lock keyed on the schema so that several processes starting at once
serialise: the first applies, the others find the work done. A changed file that was already
applied is an error (checksums), never silently skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_description.sql")
        migrations.append(Migration(int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {directory}")
    return migrations


def _lock_key(schema: str) -> int:
    return int.from_bytes(hashlib.sha256(f"em-migrate:{schema}".encode()).digest()[:8], "big", signed=True)


async def migrate(conn: asyncpg.Connection, schema: str, directory: Path) -> list[int]:
    """Apply pending migrations of `directory` to `schema`; returns the versions applied now."""
    migrations = discover(directory)
    applied_now: list[int] = []
    q_schema = _quote(schema)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key(schema))
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {q_schema}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {q_schema}.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        rows = await conn.fetch(f"SELECT version, checksum FROM {q_schema}.schema_migrations")
        done = {r["version"]: r["checksum"] for r in rows}
        for m in migrations:
            if m.version in done:
                if done[m.version] != m.checksum:
                    raise MigrationError(
                        f"{schema}: migration {m.version:04d}_{m.name} changed after it was applied"
                    )
                continue
            await conn.execute(f"SET LOCAL search_path TO {q_schema}, public")
            await conn.execute(m.sql)
            await conn.execute(
                f"INSERT INTO {q_schema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                m.version,
                m.name,
                m.checksum,
            )
            applied_now.append(m.version)
    return applied_now


async def pending(conn: asyncpg.Connection, schema: str, directory: Path) -> list[int]:
    """Versions not yet applied (for /ready)."""
    exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{_quote(schema)}.schema_migrations")
    wanted = {m.version for m in discover(directory)}
    if not exists:
        return sorted(wanted)
    have = {r["version"] for r in await conn.fetch(f"SELECT version FROM {_quote(schema)}.schema_migrations")}
    return sorted(wanted - have)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
