"""Fault test: PostgreSQL killed -9 (postmaster and every backend at once) right after a 2xx, twice,
while four senders keep posting to a real `python -m ingest_svc` process. Every delivery that got a
2xx survives crash recovery, is stored exactly once and published exactly once in effect; while the
database is down the answer is 503 with Retry-After, never a 500."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
from em_shared.contracts.subjects import Topology
from em_shared.devenv.processes import free_port
from em_shared.devenv.servers import managed, start_postgres, stop_server
from em_shared.storage.pool import schema_name
from ingest_testkit import sample_named, secret_for

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]

N = 48
SENDERS = 4
KILL_AT = (10, 30)  # the 10th and the 30th 2xx each trigger a kill -9 of PostgreSQL
OUTAGE_S = 1.5


def _delivery(i: int) -> bytes:
    body = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    body["event"]["id"] = f"PGFAULT{i:04d}"
    body["event"]["data"]["id"] = f"PGINC{i:04d}"
    return json.dumps(body).encode()


def _kill9_postgres(run_dir: Path) -> None:
    """SIGKILL the postmaster's whole process group: no shutdown checkpoint, no backend survives."""
    pid = managed(run_dir, "postgres").pid()
    assert pid is not None, "PostgreSQL is not running"
    os.killpg(pid, signal.SIGKILL)
    # Wait for the whole group, not just the postmaster: a backend still attached to the old shared
    # memory makes the restarted postmaster refuse to start.
    for _ in range(200):
        if not _live_members(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"PostgreSQL processes survived kill -9: {_live_members(pid)}")


def _live_members(pgid: int) -> list[int]:
    """Pids of the process group that are not zombies (read from /proc: zombies stay in the group)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            live.append(int(stat.parent.name))
    return live


async def _wait_ready(url: str, timeout: float = 90.0) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(int(timeout * 10)):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise TimeoutError("ingest-svc never became ready")


async def test_kill9_postgres_after_a_2xx_loses_and_duplicates_nothing(servers, namespace) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="ingest-pgfault-"))
    pg_port, http_port = free_port(), free_port()
    database_url = await asyncio.to_thread(start_postgres, run_dir, pg_port)
    env = {
        **os.environ,
        "NATS_URL": servers.nats_url,
        "DATABASE_URL": database_url,
        "EM_NAMESPACE": namespace,
        "INGEST_PORT": str(http_port),
        "EM_WEBHOOK_SECRET_PAGERDUTY": secret_for("pagerduty"),
        "EM_INGEST_RELAY_POLL_S": "0.2",
        "EM_INGEST_STORE_TIMEOUT_S": "2",
        "LOG_LEVEL": "warning",
    }
    log_file = run_dir / "ingest.log"
    with log_file.open("ab") as out:
        ingest = subprocess.Popen([sys.executable, "-m", "ingest_svc"], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{http_port}"
    sample = sample_named("pagerduty/incident.triggered.json")
    acked: dict[int, str] = {}
    statuses: list[int] = []
    unavailable: list[httpx.Response] = []
    kills: list[asyncio.Event] = [asyncio.Event() for _ in KILL_AT]
    killed_after: list[int] = []
    try:
        await _wait_ready(url)

        async def post(http: httpx.AsyncClient, i: int) -> None:
            body = _delivery(i)
            headers = {
                **sample.headers,
                **type(sample)("pagerduty", "", {}, body).signed(secret_for("pagerduty")),
            }
            for _ in range(600):  # a vendor retries until it gets a 2xx
                try:
                    r = await http.post(f"{url}/webhooks/pagerduty", content=body, headers=headers)
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                statuses.append(r.status_code)
                if r.status_code == 200:
                    acked[i] = r.json()["delivery_id"]
                    if len(acked) in KILL_AT:
                        _kill9_postgres(run_dir)  # right after this 2xx: it must already be durable
                        killed_after.append(i)
                        kills[KILL_AT.index(len(acked))].set()
                    return
                assert r.status_code == 503, r.text  # never a 500, never a 4xx for a good delivery
                unavailable.append(r)
                await asyncio.sleep(0.1)
            raise AssertionError(f"delivery {i} never acknowledged")

        async def sender(share: list[int]) -> None:
            async with httpx.AsyncClient(timeout=10) as http:
                for i in share:
                    await post(http, i)

        async def restarter() -> None:
            for event in kills:
                await event.wait()
                await asyncio.sleep(OUTAGE_S)  # senders keep posting into the outage
                await asyncio.to_thread(start_postgres, run_dir, pg_port)  # crash recovery replays the WAL

        shares = [list(range(k, N, SENDERS)) for k in range(SENDERS)]
        await asyncio.wait_for(asyncio.gather(restarter(), *(sender(s) for s in shares)), 240)
        # Redeliver a few acknowledged ones, as vendors do after a timeout: still one each.
        async with httpx.AsyncClient(timeout=10) as http:
            for i in (*killed_after, 0, N - 1):
                await post(http, i)

        assert len(acked) == N
        assert len(killed_after) == len(KILL_AT)
        assert set(statuses) <= {200, 503}
        assert unavailable, "no request met the outage"
        print(
            f"{len(unavailable)} answers 503 + Retry-After during {len(KILL_AT)} outages; kills after {killed_after}"
        )
        assert all(r.headers.get("retry-after") for r in unavailable)
        assert all(r.json()["error"] == "unavailable" for r in unavailable)

        conn = await asyncpg.connect(database_url)
        schema = schema_name("ingest", namespace)
        try:
            for _ in range(300):
                pending = await conn.fetchval(f'SELECT count(*) FROM "{schema}".outbox')
                if pending == 0:
                    break
                await asyncio.sleep(0.2)
            rows = await conn.fetch(
                f'SELECT id::text AS id, dedup_key, status FROM "{schema}".delivery_states'
            )
        finally:
            await conn.close()
        assert pending == 0
        assert sorted(r["dedup_key"] for r in rows) == sorted(f"PGFAULT{i:04d}" for i in range(N))
        assert {r["id"] for r in rows} == set(acked.values())  # the acknowledged ids are the stored ones
        assert {r["status"] for r in rows} == {"published"}

        nc = await nats.connect(servers.nats_url)
        try:
            js = nc.jetstream()
            stream = Topology(namespace).stream("INGEST")
            info = await js.stream_info(stream)
            events = [
                json.loads((await js.get_msg(stream, seq)).data)
                for seq in range(info.state.first_seq, info.state.last_seq + 1)
            ]
        finally:
            await nc.close()
        assert sorted(e["external_id"] for e in events) == sorted(f"PGINC{i:04d}" for i in range(N))
        assert len({e["id"] for e in events}) == N
    finally:
        if ingest.poll() is None:
            ingest.send_signal(signal.SIGKILL)
            ingest.wait(10)
        await asyncio.to_thread(stop_server, run_dir, "postgres")
        shutil.rmtree(run_dir, ignore_errors=True)
        if os.environ.get("EM_KEEP_FAULT_LOGS"):
            print(log_file.read_text()[-5000:])
