"""Fixtures of agent-svc tests: service doubles on the real bus, a fake LLM provider on real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from agent_svc.testing.doubles import ServiceDoubles, run_doubles
from agent_svc.testing.fake_llm import FakeLLM


@pytest.fixture
async def doubles(servers, topology, cleanup_namespace) -> AsyncIterator[ServiceDoubles]:
    async with run_doubles(servers, topology) as d:
        yield d


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLLM]:
    fake = await FakeLLM().start()
    try:
        yield fake
    finally:
        await fake.stop()
