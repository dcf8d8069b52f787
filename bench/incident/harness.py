"""Bench plumbing: real servers (NATS_URL/DATABASE_URL, else embedded), incident-svc as a separate
process in a fresh namespace, a JetStream publisher, and cleanup."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import nats
from em_shared.contracts.subjects import Topology
from em_shared.devenv.processes import free_port
from em_shared.messaging.streams import declare_streams
from em_shared.testing.servers import TestServers


@dataclass
class Bench:
    namespace: str
    url: str
    nats_url: str
    database_url: str
    schema: str
    nc: nats.NATS
    topology: Topology

    def connect_db(self) -> asyncpg.Pool:
        return asyncpg.create_pool(
            self.database_url,
            min_size=1,
            max_size=4,
            server_settings={"search_path": f"{self.schema},public"},
        )


@contextlib.asynccontextmanager
async def running_service(extra_env: dict[str, str] | None = None) -> AsyncIterator[Bench]:
    servers = TestServers.start()
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": servers.nats_url,
        "DATABASE_URL": servers.database_url,
        "EM_NAMESPACE": namespace,
        "INCIDENT_PORT": str(port),
        "LOG_LEVEL": "warning",
        "DB_POOL_MAX": "10",
        **(extra_env or {}),
    }
    proc = subprocess.Popen([sys.executable, "-m", "incident_svc"], env=env)
    nc = await nats.connect(servers.nats_url)
    topology = Topology(namespace)
    try:
        await declare_streams(nc.jetstream(), topology)
        url = f"http://127.0.0.1:{port}"
        await wait_ready(url, proc, "incident-svc")
        yield Bench(
            namespace, url, servers.nats_url, servers.database_url, f"{namespace}_incident", nc, topology
        )
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(f"{namespace}_"):
                await js.delete_stream(info.config.name)
        await nc.drain()
        conn = await asyncpg.connect(servers.database_url)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{namespace}_incident" CASCADE')
        await conn.close()
        servers.stop()


async def wait_ready(url: str, proc: subprocess.Popen[bytes], name: str, timeout_s: float = 60.0) -> None:
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(int(timeout_s * 10)):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/ready")).status_code == 200:
                    return
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited during startup")
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{name} not ready")


@contextlib.asynccontextmanager
async def running_ingest(bench: Bench, extra_env: dict[str, str]) -> AsyncIterator[int]:
    """`python -m ingest_svc` on the bench's servers and namespace; yields its HTTP port."""
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": bench.nats_url,
        "DATABASE_URL": bench.database_url,
        "EM_NAMESPACE": bench.namespace,
        "INGEST_PORT": str(port),
        "LOG_LEVEL": "warning",
        **extra_env,
    }
    proc = subprocess.Popen([sys.executable, "-m", "ingest_svc"], env=env)
    try:
        await wait_ready(f"http://127.0.0.1:{port}", proc, "ingest-svc")
        yield port
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        conn = await asyncpg.connect(bench.database_url)
        for schema in ("ingest", "metrics"):  # ingest-svc's own and its metrics module's
            await conn.execute(f'DROP SCHEMA IF EXISTS "{bench.namespace}_{schema}" CASCADE')
        await conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def now() -> float:
    return time.perf_counter()
