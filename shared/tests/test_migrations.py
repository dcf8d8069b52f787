"""Migrations on real PostgreSQL: ordered, recorded, applied once even when processes race."""

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import asyncpg
import pytest
from em_shared.storage.migrations import MigrationError, migrate, pending

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


FILES = {
    "0001_init.sql": "CREATE TABLE things (id int PRIMARY KEY); CREATE TABLE applied_log (n serial, at timestamptz "
    "DEFAULT now());",
    "0002_more.sql": "ALTER TABLE things ADD COLUMN name text; INSERT INTO applied_log DEFAULT VALUES; "
    "SELECT pg_sleep(0.5);",
}


async def test_applies_in_order_once_and_reports_nothing_pending(servers, namespace, tmp_path):
    directory = _write(tmp_path / "m", FILES)
    schema = f"{namespace}_svc"
    conn = await asyncpg.connect(servers.database_url)
    try:
        assert await pending(conn, schema, directory) == [1, 2]
        assert await migrate(conn, schema, directory) == [1, 2]
        assert await migrate(conn, schema, directory) == []
        assert await pending(conn, schema, directory) == []
        cols = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema=$1 AND "
            "table_name='things' ORDER BY ordinal_position",
            schema,
        )
        assert [c["column_name"] for c in cols] == ["id", "name"]
    finally:
        await conn.close()


async def test_an_applied_migration_that_changed_is_refused(servers, namespace, tmp_path):
    directory = _write(tmp_path / "m", FILES)
    schema = f"{namespace}_svc"
    conn = await asyncpg.connect(servers.database_url)
    try:
        await migrate(conn, schema, directory)
        (directory / "0002_more.sql").write_text("SELECT 1;")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, schema, directory)
    finally:
        await conn.close()


async def test_two_processes_migrating_at_once_both_succeed_and_apply_once(servers, namespace, tmp_path):
    directory = _write(tmp_path / "m", FILES)
    schema = f"{namespace}_svc"
    script = textwrap.dedent(f"""
        import asyncio, asyncpg, pathlib, sys
        from em_shared.storage.migrations import migrate
        async def main():
            conn = await asyncpg.connect({servers.database_url!r})
            applied = await migrate(conn, {schema!r}, pathlib.Path({str(directory)!r}))
            print(applied)
            await conn.close()
        asyncio.run(main())
    """)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1].decode()[-500:] for o in outputs]
    printed = sorted(o[0].decode().strip() for o in outputs)
    assert printed == ["[1, 2]", "[]"], "exactly one process applies, the other finds the work done"
    conn = await asyncpg.connect(servers.database_url)
    try:
        assert await conn.fetchval(f'SELECT count(*) FROM "{schema}".applied_log') == 1
        assert await conn.fetchval(f'SELECT count(*) FROM "{schema}".schema_migrations') == 2
    finally:
        await conn.close()
