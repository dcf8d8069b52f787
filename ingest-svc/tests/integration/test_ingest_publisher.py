"""The relay's publisher writes HPUB frames itself (outbound.py): against a real JetStream stream, every
event arrives once, in batch order, with the payload and headers `Client.publish` would have sent; a
re-publish is dropped by the duplicate window yet acknowledged; an event over the server's payload
limit fails alone, its batch-mates still published in order."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.subjects import S
from em_shared.messaging.streams import declare_streams
from ingest_svc.outbound import Outgoing, PipelinedPublisher, PublishFailed
from ingest_testkit import events_reader

__all__ = ["events_reader"]

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def _signal(i: int, description: str | None = None, correlation: str | None = None) -> AlertSignal:
    return AlertSignal(
        id=deterministic_id("publisher-test", i),
        occurred_at=utcnow(),
        source="alertmanager/default",
        causation_id=deterministic_id("delivery", i),
        correlation_id=correlation,
        vendor="alertmanager",
        external_id=f"fp-{i}",
        fingerprint=f"{i:032x}",
        status="firing",
        title=f"Disk almost full on node-{i}",
        labels={"alertname": "DiskFull", "instance": f"node-{i}:9100"},
        description=description,
    )


async def test_framed_batch_arrives_in_order_with_the_clients_headers(nc, topology, events_reader) -> None:
    await declare_streams(nc.jetstream(), topology)
    publisher = PipelinedPublisher(nc, topology, "ingest")
    batch = [
        Outgoing(S.ALERT_RECEIVED, _signal(i), {"Em-Delivery-Id": deterministic_id("delivery", i)})
        for i in range(50)
    ]
    # A value with line breaks (a correlation id is caller-provided) is flattened, as the client does.
    batch.append(Outgoing(S.ALERT_RECEIVED, _signal(50, correlation=" req-1\r\nX-Evil: 1 ")))
    assert await publisher.publish_all(batch) == [None] * 51

    events = await events_reader(51, settle_s=0.3)
    assert [event["id"] for _, event, _ in events] == [item.event.id for item in batch]
    for (subject, event, headers), item in zip(events, batch, strict=True):
        assert subject == S.ALERT_RECEIVED
        assert event == msgspec.json.decode(msgspec.json.encode(item.event))
        expected = {"Nats-Msg-Id": item.event.id, "Em-Schema-Version": str(item.event.schema_version)}
        if item.headers:
            expected.update(item.headers)
        if item.event.correlation_id:
            expected["Em-Correlation-Id"] = "req-1  X-Evil: 1"
        assert headers == expected

    # The relay re-publishes after a crash between publish and commit: acknowledged, not stored twice.
    assert await publisher.publish_all(batch[:10]) == [None] * 10
    assert len(await events_reader(51, settle_s=0.3)) == 51


async def test_an_event_over_the_payload_limit_fails_alone(nc, topology, events_reader) -> None:
    await declare_streams(nc.jetstream(), topology)
    publisher = PipelinedPublisher(nc, topology, "ingest")
    huge = "x" * (nc.max_payload + 1)
    batch = [Outgoing(S.ALERT_RECEIVED, _signal(i, description=huge if i == 2 else None)) for i in range(5)]
    results = await publisher.publish_all(batch)
    assert isinstance(results[2], PublishFailed)
    assert [r for i, r in enumerate(results) if i != 2] == [None] * 4
    events = await events_reader(4, settle_s=0.3)
    assert [event["external_id"] for _, event, _ in events] == ["fp-0", "fp-1", "fp-3", "fp-4"]


async def test_a_closed_connection_fails_the_batch_at_once_and_keeps_nothing_waiting(
    servers, topology
) -> None:
    import nats

    client = await nats.connect(servers.nats_url)
    await declare_streams(client.jetstream(), topology)
    publisher = PipelinedPublisher(client, topology, "ingest", timeout_s=5)
    assert await publisher.publish_all([Outgoing(S.ALERT_RECEIVED, _signal(0))]) == [None]
    await client.close()
    loop = asyncio.get_running_loop()
    started = loop.time()
    results = await publisher.publish_all([Outgoing(S.ALERT_RECEIVED, _signal(i)) for i in range(1, 4)])
    assert all(isinstance(r, PublishFailed) for r in results)
    assert loop.time() - started < 1  # failed on the spot, not after the ack timeout
    assert publisher._waiting == {}
