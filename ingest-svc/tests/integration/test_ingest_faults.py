"""Fault test: deliveries posted while ingest-svc (a real `python -m ingest_svc` process) is killed -9
and restarted, and while our own NATS server is killed -9 and restarted. Every delivery that got a 2xx
is stored exactly once and its event is on JetStream exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
from em_shared.contracts.subjects import Topology
from em_shared.devenv.processes import free_port, port_open
from em_shared.storage.pool import schema_name
from ingest_testkit import sample_named, secret_for

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]

VENV_BIN = Path(sys.executable).parent
N = 60


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.p: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.p = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill9(self) -> None:
        assert self.p is not None
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(10)

    def stop(self) -> None:
        if self.p and self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
            self.p.wait(10)


async def _wait_port(port: int, timeout: float = 30.0) -> None:
    for _ in range(int(timeout * 10)):
        if port_open(port):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"port {port} never opened")


async def _wait_ready(url: str, timeout: float = 60.0) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(int(timeout * 10)):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError("ingest-svc never became ready")


def _delivery(i: int) -> bytes:
    body = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    body["event"]["id"] = f"FAULT{i:04d}"
    body["event"]["data"]["id"] = f"PINC{i:04d}"
    return json.dumps(body).encode()


async def test_kill9_ingest_and_restart_nats_lose_and_duplicate_nothing(servers, namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="ingest-fault-"))
    nats_port, http_port = free_port(), free_port()
    nats_url = f"nats://127.0.0.1:{nats_port}"
    nats_proc = Proc(
        [
            str(VENV_BIN / "nats-server"),
            "-a",
            "127.0.0.1",
            "-p",
            str(nats_port),
            "-js",
            "-sd",
            str(work / "js"),
        ],
        dict(os.environ),
        work / "nats.log",
    )
    env = {
        **os.environ,
        "NATS_URL": nats_url,
        "DATABASE_URL": servers.database_url,
        "EM_NAMESPACE": namespace,
        "INGEST_PORT": str(http_port),
        "EM_WEBHOOK_SECRET_PAGERDUTY": secret_for("pagerduty"),
        "EM_INGEST_RELAY_POLL_S": "0.2",
        "LOG_LEVEL": "warning",
    }
    ingest = Proc([sys.executable, "-m", "ingest_svc"], env, work / "ingest.log")
    url = f"http://127.0.0.1:{http_port}"
    sample = sample_named("pagerduty/incident.triggered.json")
    acked: dict[int, str] = {}
    try:
        nats_proc.start()
        await _wait_port(nats_port)
        ingest.start()
        await _wait_ready(url)

        async def post(i: int) -> None:
            body = _delivery(i)
            headers = {
                **sample.headers,
                **sample.__class__("pagerduty", "", {}, body).signed(secret_for("pagerduty")),
            }
            async with httpx.AsyncClient(timeout=10) as http:
                for _ in range(400):  # a vendor retries until it gets a 2xx
                    try:
                        r = await http.post(f"{url}/webhooks/pagerduty", content=body, headers=headers)
                        if r.status_code == 200:
                            acked[i] = r.json()["delivery_id"]
                            return
                        assert r.status_code == 503, r.text  # never a 500, never a 4xx for a good delivery
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
            raise AssertionError(f"delivery {i} never acknowledged")

        for i in range(N):
            await post(i)
            if i == 15:
                ingest.kill9()  # right after a 2xx: the delivery must already be durable
                ingest.start()
            if i == 30:
                nats_proc.kill9()  # ingest keeps accepting: storing needs only PostgreSQL
            if i == 40:
                nats_proc.start()
            if i == 45:
                ingest.kill9()
                ingest.start()
        # Redeliver a few acknowledged ones, as vendors do after a timeout: still one each.
        for i in (3, 16, 31, 46):
            await post(i)
        await _wait_ready(url)

        conn = await asyncpg.connect(servers.database_url)
        schema = schema_name("ingest", namespace)
        try:
            for _ in range(300):
                pending = await conn.fetchval(f'SELECT count(*) FROM "{schema}".outbox')
                if pending == 0:
                    break
                await asyncio.sleep(0.2)
            rows = await conn.fetch(f'SELECT dedup_key, status FROM "{schema}".delivery_states')
        finally:
            await conn.close()
        assert pending == 0
        assert len(acked) == N
        keys = [r["dedup_key"] for r in rows]
        assert sorted(keys) == sorted(f"FAULT{i:04d}" for i in range(N))  # each stored once, none lost
        assert {r["status"] for r in rows} == {"published"}

        nc = await nats.connect(nats_url)
        try:
            js = nc.jetstream()
            topology = Topology(namespace)
            info = await js.stream_info(topology.stream("INGEST"))
            events = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(topology.stream("INGEST"), seq)
                events.append(json.loads(msg.data))
        finally:
            await nc.close()
        external = sorted(e["external_id"] for e in events)
        assert external == sorted(f"PINC{i:04d}" for i in range(N))  # each published exactly once
        assert len({e["id"] for e in events}) == N
    finally:
        ingest.stop()
        nats_proc.stop()
