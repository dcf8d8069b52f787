"""Real NATS: idempotent stream declaration, drift reports, dedup by Nats-Msg-Id, RPC, consumers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import RpcRequest
from em_shared.contracts.health import Ping
from em_shared.contracts.subjects import S, StreamSpec, Topology
from em_shared.messaging.broker import create_broker, start_broker
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.errors import NotFound, RpcFailure
from em_shared.messaging.publisher import EventPublisher
from em_shared.messaging.rpc import CoreResponder, RpcClient, serve_rpc
from em_shared.messaging.streams import StreamDrift, declare_streams

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def _alert(i: int, title: str = "disk full") -> AlertSignal:
    return AlertSignal(
        id=f"evt-{i}",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        source="alertmanager",
        vendor="alertmanager",
        external_id=f"fp{i}",
        fingerprint=f"fp{i}",
        status="firing",
        title=title,
    )


async def test_declare_streams_is_idempotent_and_reports_drift(nc, topology):
    js = nc.jetstream()
    first = await declare_streams(js, topology)
    assert {o.action for o in first} == {"created"}
    second = await declare_streams(js, topology)
    assert {o.action for o in second} == {"unchanged"}

    changed = Topology(
        topology.namespace,
        tuple(
            StreamSpec(s.name, s.subjects, s.description, max_age_s=s.max_age_s / 2)
            if s.name == "INCIDENT"
            else s
            for s in topology.streams
        ),
    )
    with pytest.raises(StreamDrift) as drift:
        await declare_streams(js, changed)
    assert drift.value.stream == topology.stream("INCIDENT")
    assert set(drift.value.differences) == {"max_age"}
    applied = await declare_streams(js, changed, apply_changes=True)
    assert {o.stream: o.action for o in applied}[topology.stream("INCIDENT")] == "updated"


async def test_publish_twice_with_same_event_id_is_stored_once(nc, topology):
    js = nc.jetstream()
    await declare_streams(js, topology)
    publisher = EventPublisher(js, topology, "test")
    first = await publisher.publish(S.ALERT_RECEIVED, _alert(1))
    again = await publisher.publish(S.ALERT_RECEIVED, _alert(1))
    assert not first.duplicate
    assert again.duplicate
    info = await js.stream_info(topology.stream("INGEST"))
    assert info.state.messages == 1


class Echo(RpcRequest, frozen=True, kw_only=True):
    text: str


class EchoReply(msgspec.Struct, frozen=True):
    text: str


async def test_rpc_round_trip_and_typed_errors(servers, nc, topology):
    broker = create_broker(servers.nats_url, "rpc-test")

    async def echo(req: Echo) -> EchoReply:
        if req.text == "missing":
            raise NotFound("no such thing")
        if req.text == "boom":
            raise RuntimeError("secret internals")
        return EchoReply(text=req.text.upper())

    serve_rpc(broker, topology, "test", "rpc.test.echo", Echo, echo)
    await start_broker(broker)
    try:
        rpc = RpcClient(nc, topology, timeout_s=10)  # generous: a busy CI box, not a timing check
        assert await rpc.call("rpc.test.echo", Echo(text="hi"), EchoReply) == EchoReply(text="HI")
        with pytest.raises(RpcFailure) as missing:
            await rpc.call("rpc.test.echo", Echo(text="missing"), EchoReply)
        assert (missing.value.code, missing.value.status) == ("not_found", 404)
        with pytest.raises(RpcFailure) as invalid:
            await rpc.call("rpc.test.echo", {"text": 5}, EchoReply)
        assert invalid.value.code == "invalid"
        with pytest.raises(RpcFailure) as internal:
            await rpc.call("rpc.test.echo", Echo(text="boom"), EchoReply)
        assert internal.value.code == "internal"
        assert "secret internals" not in internal.value.message
        with pytest.raises(RpcFailure) as down:
            await rpc.call(S.ping("nobody"), Ping(), EchoReply)
        assert down.value.code == "unavailable"
    finally:
        await broker.stop()


async def test_core_responder_answers_like_serve_rpc_and_finishes_in_flight_on_stop(nc, topology):
    release = asyncio.Event()

    async def echo(req: Echo) -> EchoReply:
        if req.text == "missing":
            raise NotFound("no such thing")
        if req.text == "slow":
            await release.wait()
        return EchoReply(text=req.text.upper())

    responder = CoreResponder(nc, topology, "test", "rpc.test.core", Echo, echo, max_workers=4)
    await responder.start()
    rpc = RpcClient(nc, topology, timeout_s=2)
    assert await rpc.call("rpc.test.core", Echo(text="hi"), EchoReply) == EchoReply(text="HI")
    with pytest.raises(RpcFailure) as missing:
        await rpc.call("rpc.test.core", Echo(text="missing"), EchoReply)
    assert (missing.value.code, missing.value.status) == ("not_found", 404)
    with pytest.raises(RpcFailure) as invalid:
        await rpc.call("rpc.test.core", {"text": 5}, EchoReply)
    assert invalid.value.code == "invalid"
    # Concurrent: a slow request does not hold back a quick one.
    slow = asyncio.create_task(rpc.call("rpc.test.core", Echo(text="slow"), EchoReply))
    await asyncio.sleep(0.05)
    assert await rpc.call("rpc.test.core", Echo(text="quick"), EchoReply) == EchoReply(text="QUICK")
    # stop() takes no new requests but lets the one in flight answer.
    stopping = asyncio.create_task(responder.stop(grace_s=2))
    await asyncio.sleep(0.05)
    release.set()
    assert await slow == EchoReply(text="SLOW")
    await stopping
    with pytest.raises(RpcFailure) as gone:
        await rpc.call("rpc.test.core", Echo(text="hi"), EchoReply)
    assert gone.value.code == "unavailable"


async def test_consumer_retries_then_dead_letters(servers, nc, topology):
    js = nc.jetstream()
    await declare_streams(js, topology)
    broker = create_broker(servers.nats_url, "consumer-test")
    seen: list[str] = []
    attempts: dict[str, int] = {}

    async def handle(event: AlertSignal) -> None:
        attempts[event.id] = attempts.get(event.id, 0) + 1
        if event.title == "poison":
            raise ValueError("cannot handle")
        seen.append(event.id)

    subscribe_events(
        broker, topology, "test", S.ALERT_RECEIVED, "test-alerts", AlertSignal, handle, max_deliver=2
    )
    await start_broker(broker)
    try:
        publisher = EventPublisher(js, topology, "test")
        await publisher.publish(S.ALERT_RECEIVED, _alert(1))
        await publisher.publish(S.ALERT_RECEIVED, _alert(2, "poison"))
        await publisher.publish(S.ALERT_RECEIVED, _alert(3))
        dead = await js.subscribe(topology.subject("deadletter.test-alerts"))
        msg = await dead.next_msg(timeout=15)
        assert msg.headers["Em-Original-Subject"] == topology.subject(S.ALERT_RECEIVED)
        assert "cannot handle" in msg.headers["Em-Error"]
        for _ in range(50):
            if len(seen) == 2:
                break
            await asyncio.sleep(0.1)
        assert sorted(seen) == ["evt-1", "evt-3"]
        assert attempts["evt-2"] == 3
    finally:
        await broker.stop()
