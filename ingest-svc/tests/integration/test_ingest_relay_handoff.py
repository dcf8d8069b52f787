"""The relay's in-memory hand-over against real PostgreSQL and JetStream: deliveries committed here are
relayed without reading bodies back, a delivery another relay (process) already took is skipped, and
what memory drops (overflow, a failed pass) is still relayed from the outbox by the scan - each
delivery's events on the stream once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.messaging.streams import declare_streams
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool, schema_name
from ingest_svc.catalog_cache import CatalogCache
from ingest_svc.committer import GroupCommitter
from ingest_svc.outbound import PipelinedPublisher
from ingest_svc.relay import Relay
from ingest_svc.repository import NewDelivery
from ingest_testkit import events_reader, sample_named

__all__ = ["events_reader"]

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "ingest_svc" / "migrations"


def _row(key: str) -> NewDelivery:
    body = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    body["event"]["id"] = key
    body["event"]["data"]["id"] = f"P{key}"  # its own incident, so its own alert event id
    data = json.dumps(body).encode()
    return NewDelivery(
        id=deterministic_id("delivery", "pagerduty", "default", key),
        source="pagerduty",
        instance="default",
        dedup_key=key,
        event_type="incident.triggered",
        received_at=utcnow(),
        content_type="application/json",
        headers={"content-type": "application/json"},
        body=data,
        verification="pagerduty-v1:key0",
        status="pending",
        payload=body,
    )


async def test_handed_over_and_scanned_deliveries_are_each_published_once(
    servers, namespace, nc, topology, events_reader
) -> None:
    schema = schema_name("ingest", namespace)
    pool = await create_pool(servers.database_url, schema, 1, 6)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    await declare_streams(nc.jetstream(), topology)

    def relay(batch: int = 200, handoff_max: int | None = None) -> Relay:
        return Relay(
            pool,
            PipelinedPublisher(nc, topology, "ingest"),
            CatalogCache(pool),
            batch=batch,
            handoff_max=handoff_max,
        )

    here, other = relay(batch=4, handoff_max=20), relay()
    handed: list[NewDelivery] = []
    committer = GroupCommitter(pool, on_commit=handed.extend)
    committer.start()
    try:
        for i in range(30):
            assert await committer.store(_row(f"handoff-{i}"), 10)
        assert len(handed) == 30
        # Another process's relay scans the outbox first and takes all thirty.
        assert await other.pass_once() == 30
        here.hand_off(handed[:20])
        claimed = 0
        while here.queued:
            claimed += await here.pass_fresh()
        assert claimed == 0  # the other relay already published and removed every one of them
        for i in range(30, 60):
            assert await committer.store(_row(f"handoff-{i}"), 10)
        here.hand_off(handed[30:])  # 20 fit in memory, 10 overflow to the scan
        # A scan while those 20 wait in memory takes overflow rows only (the skip list is an anti-join).
        assert await here.pass_once() == 4
        relayed = 0
        while here.queued:
            relayed += await here.pass_fresh()
        assert relayed == 20  # none of them was taken by the scan above
        scanned = [await here.pass_once() for _ in range(3)]  # batches of 4, then nothing left
        assert scanned == [4, 2, 0]  # the rest of the overflow, read back from the outbox
        outbox = await pool.fetchval("SELECT count(*) FROM outbox")
        published = await pool.fetchval("SELECT count(*) FROM delivery_states WHERE status = 'published'")
    finally:
        await committer.stop()
        await here.stop()
        await other.stop()
        await pool.close()
    events = await events_reader(60, settle_s=0.5)
    assert outbox == 0 and published == 60
    assert len(events) == 60
    assert len({event["id"] for _, event, _ in events}) == 60
