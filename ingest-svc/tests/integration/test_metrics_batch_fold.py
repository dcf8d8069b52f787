"""Batched folding: concurrent consumer handlers share one transaction, a poison event fails alone.

`GroupFolder` is what the six metrics consumers submit to; these tests drive it with real canonical
events against a real metrics schema, as the consumers' concurrent handlers do.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool
from ingest_svc.metrics.config import Config
from ingest_svc.metrics.handlers.batching import GroupFolder
from ingest_svc.metrics.handlers.ingest import Ingestor
from ingest_svc.metrics.module import MIGRATIONS
from ingest_svc.settings import IngestSettings
from metrics_testkit import deployment, incident, kind_of, push

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
async def pool(servers):
    schema = f"tbatch{uuid.uuid4().hex[:8]}_metrics"
    pool = await create_pool(servers.database_url, schema, 1, 2)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    try:
        yield pool
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()


def _ingestor(pool) -> Ingestor:
    cfg = Config.from_settings(load_settings(IngestSettings, {}, metrics_min_sample=1))
    return Ingestor(pool, cfg, clock=lambda: T0 + timedelta(days=3))


async def test_concurrent_handlers_fold_in_one_batch_with_duplicates(pool):
    ingestor = _ingestor(pool)
    group = GroupFolder(ingestor.fold)
    events = [
        push(
            "acme/api",
            [("a1", T0 - timedelta(hours=3)), ("a2", T0 - timedelta(hours=2))],
            T0 - timedelta(hours=1),
        ),
        deployment("D1", "api", T0, sha="a2"),
        deployment("D1", "api", T0, sha="a2"),  # a redelivered duplicate inside the same batch
        deployment("D2", "api", T0 + timedelta(hours=2), sha="a2", is_rollback=True),
        incident("I1", "api", T0 + timedelta(hours=1), resolved=T0 + timedelta(hours=2)),
    ]
    await asyncio.gather(*(group.submit((kind_of(s), e)) for s, e in events))
    assert (group.batches, group.events) == (1, 5)  # one transaction for all five handlers
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT key, status, cause, incident_ids FROM outcomes ORDER BY key")
        links = await conn.fetch("SELECT key, sha, lead_s FROM outcome_commits ORDER BY key, sha")
    # D1 failed: I1 opened within its window (before D2); D2 redeploys the same commit: no new commit.
    assert [tuple(r) for r in rows] == [
        ("gha:D1", "failed", "incident_window", ["I1"]),
        ("gha:D2", "success", None, []),
    ]
    assert [tuple(r) for r in links] == [("gha:D1", "a1", 3 * 3600.0), ("gha:D1", "a2", 2 * 3600.0)]


async def test_a_poison_event_fails_alone_and_its_neighbours_commit(pool):
    ingestor = _ingestor(pool)
    group = GroupFolder(ingestor.fold)
    good = [deployment("D1", "api", T0, sha="a1"), deployment("D2", "web", T0, sha="b1")]
    # PostgreSQL rejects NUL in text: the whole batch's transaction fails, then each event is retried alone.
    poison = deployment("D3", "bad\x00service", T0, sha="c1")
    results = await asyncio.gather(
        *(group.submit((kind_of(s), e)) for s, e in [*good, poison]), return_exceptions=True
    )
    assert results[:2] == [None, None]
    assert isinstance(results[2], Exception)
    assert (group.batches, group.events) == (1, 3)
    async with pool.acquire() as conn:
        assert [r["key"] for r in await conn.fetch("SELECT key FROM deployments ORDER BY key")] == [
            "gha:D1",
            "gha:D2",
        ]
        assert [r["key"] for r in await conn.fetch("SELECT key FROM outcomes ORDER BY key")] == [
            "gha:D1",
            "gha:D2",
        ]
    # Redelivering the whole batch (as JetStream does after a nack) changes nothing twice.
    async with pool.acquire() as conn:
        before = [tuple(r) for r in await conn.fetch("SELECT * FROM outcomes ORDER BY key")]
    await ingestor.fold([(kind_of(s), e) for s, e in good])
    async with pool.acquire() as conn:
        assert [tuple(r) for r in await conn.fetch("SELECT * FROM outcomes ORDER BY key")] == before
        assert await conn.fetchval("SELECT count(*) FROM deployments") == 2
