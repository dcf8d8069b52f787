"""SIGTERM with a request and a message in flight: both complete, the process exits 0 within 10 s."""

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.subjects import S
from em_shared.devenv.processes import free_port
from em_shared.messaging.publisher import EventPublisher

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]


async def _wait_for(db: asyncpg.Connection, schema: str, what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if await db.fetchval(f'SELECT count(*) FROM "{schema}".marks WHERE what = $1', what):
                return
        except asyncpg.UndefinedTableError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} never happened")


async def test_sigterm_finishes_in_flight_request_and_message_then_exits_zero(servers, namespace, nc, db):
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": servers.nats_url,
        "DATABASE_URL": servers.database_url,
        "EM_NAMESPACE": namespace,
        "SLOW_PORT": str(port),
        "SHUTDOWN_GRACE_S": "8",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("slow_service.py")),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    schema = f"{namespace}_slow"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for _ in range(300):
            try:
                if (await client.get("/ready")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("slow service never became ready")

        request = asyncio.create_task(client.get("/slow", params={"seconds": 2.5}))
        event = AlertSignal(
            id="shutdown-1",
            occurred_at=datetime.now(UTC),
            source="test",
            vendor="test",
            external_id="x",
            fingerprint="x",
            status="firing",
            title="t",
        )
        await EventPublisher(nc.jetstream(), _topology(namespace), "test").publish(S.ALERT_RECEIVED, event)
        await _wait_for(db, schema, "request-started")
        await _wait_for(db, schema, "message-started:shutdown-1")

        sent_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        response = await request
        code = await asyncio.wait_for(proc.wait(), timeout=10)
        elapsed = time.monotonic() - sent_at

    output = (await proc.stdout.read()).decode()
    assert response.status_code == 200 and response.json() == {"finished": "yes"}
    assert code == 0, output[-2000:]
    assert elapsed < 10
    assert await db.fetchval(
        f'SELECT count(*) FROM "{schema}".marks WHERE what = $1', "message-finished:shutdown-1"
    )
    # The message was acknowledged before exit: nothing is pending redelivery on its consumer.
    info = await nc.jetstream().consumer_info(f"{namespace}_INGEST", f"{namespace}_slow-alerts")
    assert info.num_ack_pending == 0 and info.num_pending == 0
    assert '"service stopped"' in output


def _topology(namespace: str):
    from em_shared.contracts.subjects import Topology

    return Topology(namespace)
