"""pytest plugin (loaded by `-p em_shared.testing.plugin`): servers, namespaces, NATS, PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient

from em_shared.contracts.subjects import Topology
from em_shared.testing.cleanup import drop_namespace
from em_shared.testing.servers import TestServers


@pytest.fixture(scope="session")
def servers() -> Iterator[TestServers]:
    srv = TestServers.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def namespace() -> str:
    """A fresh namespace per test: its own subjects, streams and PostgreSQL schemas."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def topology(namespace: str) -> Topology:
    return Topology(namespace)


@pytest.fixture
async def nc(servers: TestServers) -> AsyncIterator[NatsClient]:
    client = await nats.connect(servers.nats_url)
    try:
        yield client
    finally:
        await client.drain()


@pytest.fixture
async def db(servers: TestServers) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(servers.database_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def cleanup_namespace(servers: TestServers, namespace: str) -> AsyncIterator[str]:
    """Drops the namespace's schemas and streams after the test, so a shared server stays tidy."""
    yield namespace
    await drop_namespace(servers.database_url, servers.nats_url, namespace)
