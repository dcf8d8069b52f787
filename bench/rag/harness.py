"""Shared by the RAG scorer and benchmark: real servers, a rag-svc instance in a throwaway namespace.

Servers come from NATS_URL / DATABASE_URL when set, else embedded ones are started (as in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from em_shared.runtime.settings import load_settings
from em_shared.testing import cleanup
from em_shared.testing.live import LiveService, live_service
from em_shared.testing.servers import TestServers
from rag_svc.app import create_service
from rag_svc.embeddings.base import Embedder
from rag_svc.settings import RagSettings

CORPUS = Path(__file__).resolve().parents[2] / "rag-svc" / "tests" / "corpus"


def labelled_queries(path: Path | None = None) -> list[dict[str, Any]]:
    lines = (path or CORPUS / "queries.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@contextlib.asynccontextmanager
async def rag_instance(
    servers: TestServers, embedder: Embedder | None = None, **overrides: Any
) -> AsyncIterator[LiveService]:
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        RagSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        log_level="warning",
        **overrides,
    )
    try:
        async with live_service(create_service(settings, embedder), settings) as svc:
            await wait_ready(svc)
            yield svc
    finally:
        await drop_namespace(servers, namespace)


async def wait_ready(svc: LiveService, timeout_s: float = 600.0) -> None:
    """Until the startup index (RAG_DOCS_DIR) is built: /ready answers 200."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with svc.client() as http:
        while (response := await http.get("/ready")).status_code != 200:
            if "failed" in response.text or asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"rag-svc not ready: {response.text}")
            await asyncio.sleep(0.2)


async def drop_namespace(servers: TestServers, namespace: str) -> None:
    await cleanup.drop_namespace(servers.database_url, servers.nats_url, namespace)


def document_ranking(results: list[dict[str, Any]]) -> list[str]:
    """Documents in the order their best chunk appears: what a reader of the answer sees first."""
    return list(dict.fromkeys(r["document_id"] for r in results))
