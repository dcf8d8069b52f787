"""What operators do with the `nats` CLI, done through nats-py with the same bytes: request a ping as raw
JSON, inspect streams and consumer lag, view events without consuming, and run `emctl`."""

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.subjects import S
from em_shared.messaging.broker import create_broker, start_broker
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.publisher import EventPublisher
from em_shared.messaging.streams import declare_streams
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from okr_svc.app import create_service
from okr_svc.settings import OkrSettings

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


async def test_raw_json_ping_like_nats_req(servers, namespace, nc, topology):
    settings = load_settings(
        OkrSettings, {}, nats_url=servers.nats_url, database_url=servers.database_url, namespace=namespace
    )
    async with live_service(create_service(settings), settings):
        reply = await nc.request(topology.subject("rpc.okr.ping"), b"{}", timeout=5)
        body = json.loads(reply.data)
        assert body["ok"] is True and body["result"]["service"] == "okr"
        bad = json.loads((await nc.request(topology.subject("rpc.okr.ping"), b"{not json", timeout=5)).data)
        assert bad["ok"] is False and bad["error"]["code"] == "invalid" and bad["error"]["status"] == 400

        env = {**os.environ, "NATS_URL": servers.nats_url, "EM_NAMESPACE": namespace}
        status = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "em_shared.ops.emctl", "status", "--timeout", "1"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert "okr        ready" in status.stdout
        assert status.returncode == 1, "the other five services are not running in this namespace"


async def test_stream_info_consumer_lag_and_view_without_consuming(servers, namespace, nc, topology):
    js = nc.jetstream()
    await declare_streams(js, topology)
    publisher = EventPublisher(js, topology, "ops-test")
    for i in range(3):
        await publisher.publish(
            S.ALERT_RECEIVED,
            AlertSignal(
                id=f"ops-{i}",
                occurred_at=datetime.now(UTC),
                source="test",
                vendor="test",
                external_id=str(i),
                fingerprint=str(i),
                status="firing",
                title=f"alert {i}",
            ),
        )

    # `nats stream info INGEST`
    info = await js.stream_info(topology.stream("INGEST"))
    assert info.state.messages == 3 and info.config.duplicate_window == 2 * 86400

    # A durable consumer that has not run yet shows all three pending: `nats consumer info` lag.
    broker = create_broker(servers.nats_url, "ops-lag")
    handled: list[str] = []

    async def handle(event: AlertSignal) -> None:
        handled.append(event.id)

    subscribe_events(broker, topology, "ops", S.ALERT_RECEIVED, "ops-alerts", AlertSignal, handle)
    await start_broker(broker)
    for _ in range(100):
        if len(handled) == 3:
            break
        await asyncio.sleep(0.05)
    await broker.stop()
    consumer = await js.consumer_info(topology.stream("INGEST"), f"{namespace}_ops-alerts")
    assert consumer.num_pending == 0 and consumer.num_ack_pending == 0 and consumer.delivered.stream_seq == 3

    # `nats stream view`: an ephemeral ordered read leaves the durable consumer untouched.
    sub = await js.subscribe(topology.subject(S.ALERT_RECEIVED), ordered_consumer=True)
    seen = [json.loads((await sub.next_msg(timeout=5)).data)["id"] for _ in range(3)]
    await sub.unsubscribe()
    assert seen == ["ops-0", "ops-1", "ops-2"]

    env = {**os.environ, "NATS_URL": servers.nats_url, "EM_NAMESPACE": namespace}
    out = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "em_shared.ops.emctl", "consumers"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0 and f"{namespace}_ops-alerts" in out.stdout
    streams = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "em_shared.ops.emctl", "streams"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert streams.returncode == 0 and "unchanged" in streams.stdout
