"""The group committer against a real PostgreSQL: concurrent deliveries share commits, duplicates are
told apart, a full queue answers Overloaded (503), and a value the database refuses fails only its
own delivery, never its batch-mates."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool, schema_name
from ingest_svc.committer import GroupCommitter, Overloaded
from ingest_svc.repository import NewDelivery

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "ingest_svc" / "migrations"


def _row(key: str, event_type: str = "incident.triggered") -> NewDelivery:
    return NewDelivery(
        id=deterministic_id("delivery", "pagerduty", "default", key),
        source="pagerduty",
        instance="default",
        dedup_key=key,
        event_type=event_type,
        received_at=utcnow(),
        content_type="application/json",
        headers={"content-type": "application/json", "x-webhook-id": key},
        body=b'{"event": {}}',
        verification="pagerduty-v1:key0",
        status="pending",
    )


@pytest.fixture
async def pool(servers, namespace):
    schema = schema_name("ingest", namespace)
    pool = await create_pool(servers.database_url, schema, 1, 4)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    yield pool
    await pool.close()


async def test_concurrent_deliveries_share_commits_and_duplicates_are_reported(pool) -> None:
    commits = []
    committer = GroupCommitter(
        pool, max_batch=64, writers=1, on_commit=lambda rows: commits.append(len(rows))
    )
    committer.start()
    try:
        keys = [f"gc-{i}" for i in range(60)]
        first = await asyncio.gather(*(committer.store(_row(k), 10) for k in keys))
        again = await asyncio.gather(*(committer.store(_row(k), 10) for k in keys[:10]))
        twins = await asyncio.gather(committer.store(_row("twin"), 10), committer.store(_row("twin"), 10))
    finally:
        await committer.stop()
    assert first == [True] * 60
    assert again == [False] * 10
    assert sorted(twins) == [False, True]  # two copies in one batch: one new, one duplicate
    assert committer.batches < 60 + 10 + 2  # grouped: fewer statements than deliveries
    assert sum(commits) == 61  # every new pending delivery handed to the relay once, no duplicate
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 61
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 61


async def test_a_full_accept_queue_is_overloaded_not_dropped(pool) -> None:
    committer = GroupCommitter(pool, queue_max=0)  # not started: nothing drains the queue
    with pytest.raises(Overloaded, match="queue full"):
        await committer.store(_row("full"), 1)
    slow = GroupCommitter(pool, queue_max=10)
    with pytest.raises(Overloaded, match="too slow"):
        await slow.store(_row("slow"), 0.2)
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0


async def test_a_refused_value_fails_only_its_own_delivery(pool) -> None:
    committer = GroupCommitter(pool, max_batch=64, writers=1)
    # Queue the whole group before the writer starts, so it is one batch.
    good = [asyncio.ensure_future(committer.store(_row(f"ok-{i}"), 10)) for i in range(5)]
    bad = asyncio.ensure_future(committer.store(_row("bad", event_type="nul\x00byte"), 10))
    await asyncio.sleep(0)
    committer.start()
    try:
        assert await asyncio.gather(*good) == [True] * 5
        with pytest.raises(Overloaded, match="refused"):
            await bad
    finally:
        await committer.stop()
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 5
