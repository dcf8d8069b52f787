"""rag-svc test fixtures: a fake OpenAI-compatible embeddings server, settings, the shared MiniLM model.

The fake speaks the real wire protocol (POST /v1/embeddings, the OpenAI response shape), so the
`openai` SDK runs unpatched. Its vectors are a hashing-trick bag of words: cheap, deterministic,
and texts sharing words are near each other, which is enough to test the plumbing fast; retrieval
quality is tested with the real MiniLM model.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from em_shared.devenv.processes import free_port
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import LiveService
from litestar import Litestar, Request, Response, post
from rag_svc.embeddings.local import LocalEmbedder
from rag_svc.embeddings.minilm import MiniLM
from rag_svc.settings import RagSettings

CORPUS = Path(__file__).parent / "corpus"
FAKE_DIM = 64


def bag_of_words_vector(text: str, dim: int = FAKE_DIM) -> list[float]:
    vec = np.zeros(dim, dtype=np.float64)
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
        vec[h % dim] += 1.0 if (h >> 16) & 1 else -1.0
    if not vec.any():
        vec[0] = 1.0
    # Deliberately not normalised: the client must normalise what an API returns.
    return (vec * 3.0).tolist()


@dataclass
class FakeEmbeddings:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer that many requests with HTTP 500

    def inputs_seen(self) -> int:
        return sum(len(r["input"]) for r in self.requests)


def _fake_app(state: FakeEmbeddings) -> Litestar:
    @post("/v1/embeddings", status_code=200)
    async def embeddings(request: Request[Any, Any, Any]) -> Any:
        body = await request.json()
        if request.headers.get("authorization") != "Bearer test-key":
            return Response(
                {"error": {"message": "bad key", "type": "invalid_request_error"}}, status_code=401
            )
        if state.fail_next > 0:
            state.fail_next -= 1

            return Response({"error": {"message": "boom", "type": "server_error"}}, status_code=500)
        state.requests.append(body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words_vector(t)}
            for i, t in enumerate(inputs)
        ]
        data.reverse()  # the API may answer out of order: clients must use `index`
        return {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }

    return Litestar(route_handlers=[embeddings], logging_config=None)


@pytest.fixture(scope="session")
async def fake_embeddings() -> AsyncIterator[FakeEmbeddings]:
    port = free_port()
    state = FakeEmbeddings(url=f"http://127.0.0.1:{port}/v1")
    server = uvicorn.Server(
        uvicorn.Config(_fake_app(state), host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield state
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
def minilm() -> MiniLM:
    return MiniLM()


@pytest.fixture(scope="session")
def local_embedder(minilm: MiniLM) -> LocalEmbedder:
    return LocalEmbedder(batch_size=16, model=minilm)


@pytest.fixture
def rag_settings(
    servers: Any, namespace: str, fake_embeddings: FakeEmbeddings, cleanup_namespace: str
) -> Callable[..., RagSettings]:
    """Settings for a test's service; by default embeddings come from the fake OpenAI server."""

    def make(**overrides: Any) -> RagSettings:
        values: dict[str, Any] = {
            "nats_url": servers.nats_url,
            "database_url": servers.database_url,
            "namespace": namespace,
            "log_level": "warning",
            "embeddings_provider": "openai",
            "embeddings_model": "fake-bow",
            "embeddings_base_url": fake_embeddings.url,
            "embeddings_api_key": "test-key",
        }
        values.update(overrides)
        return load_settings(RagSettings, {}, **values)

    return make


async def wait_ready(svc: LiveService, timeout_s: float = 300.0) -> None:
    """/ready is 503 while the startup index (RAG_DOCS_DIR, re-embedding) is being built."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with svc.client() as http:
        while (response := await http.get("/ready")).status_code != 200:
            assert "failed" not in response.text, response.text
            assert loop.time() < deadline, f"not ready: {response.text}"
            await asyncio.sleep(0.1)


@pytest.fixture
def ready() -> Callable[[LiveService], Any]:
    return wait_ready


def _pgvector_label() -> str:
    """Which pgvector situation this run tests, for the test id: never a silent pass either way."""
    import os

    url = os.environ.get("DATABASE_URL")
    if not url:
        return "embedded-pgserver"

    async def probe() -> int:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            return int(
                await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
            )
        finally:
            await conn.close()

    try:
        return "available" if asyncio.run(probe()) else "missing-on-server"
    except OSError:
        return "server-unreachable"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "vector_backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "vector_backend", ["exact", "pgvector"], ids=["exact", f"pgvector-{_pgvector_label()}"]
        )


@pytest.fixture(scope="session")
def corpus() -> Path:
    """rag-svc/tests/corpus: runbooks/ and queries.jsonl (shared with bench/rag)."""
    return CORPUS


@pytest.fixture(scope="session")
def bag_of_words() -> Callable[[str], list[float]]:
    return bag_of_words_vector
