"""Wires rag-svc: the one place that knows every piece of the service."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import structlog
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition

from rag_svc import __version__
from rag_svc.api import KnowledgeController
from rag_svc.embeddings import Embedder, create_embedder
from rag_svc.handlers.incidents import IncidentIndexing
from rag_svc.handlers.indexing import Indexer
from rag_svc.handlers.search import Searcher
from rag_svc.repository.vectors import VectorCapability, ensure_hnsw_index, probe_pgvector
from rag_svc.settings import RagSettings
from rag_svc.subscribers import register_subscribers

MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger("rag.app")


async def choose_vector_backend(ctx: ServiceContext, settings: RagSettings, dim: int) -> VectorCapability:
    if settings.vector_backend not in ("auto", "pgvector", "exact"):
        raise ValueError(f"RAG_VECTOR_BACKEND: unknown backend {settings.vector_backend!r}")
    if settings.vector_backend == "exact":
        return VectorCapability("exact", reason="forced by RAG_VECTOR_BACKEND=exact")
    assert ctx.pool is not None
    async with ctx.pool.acquire() as conn:
        cap = await probe_pgvector(conn)
        if cap.backend == "pgvector":
            await ensure_hnsw_index(conn, cap, dim)
    if cap.backend != "pgvector" and settings.vector_backend == "pgvector":
        raise RuntimeError(f"RAG_VECTOR_BACKEND=pgvector but {cap.reason}")
    return cap


def create_service(settings: RagSettings, embedder: Embedder | None = None) -> ServiceDefinition:
    """`embedder` lets a test or benchmark share one loaded model between service instances."""

    async def register(ctx: ServiceContext) -> None:
        model = embedder or create_embedder(settings)
        assert ctx.pool is not None
        cap = await choose_vector_backend(ctx, settings, await model.dimension())
        log.info("vector backend chosen", backend=cap.backend, reason=cap.reason, model=model.model_id)
        indexer = Indexer(ctx.pool, model, settings.chunk_max_words, settings.chunk_overlap_words)
        searcher = Searcher(ctx.pool, model, cap, query_cache_size=settings.query_cache_size)
        incidents = IncidentIndexing(indexer, ctx.rpc) if settings.index_incidents else None
        ctx.state.update(embedder=model, indexer=indexer, searcher=searcher)
        register_subscribers(ctx, searcher, incidents)

    async def on_started(ctx: ServiceContext) -> None:
        # Indexing a large docs directory (or re-embedding after a model change) takes minutes on CPU:
        # it runs in the background and /ready answers 503 "indexing" until it is done.
        indexer: Indexer = ctx.state["indexer"]
        ctx.state["startup_index"] = asyncio.create_task(_startup_index(indexer, settings))
        ctx.state.setdefault("ready_checks", {})["index"] = lambda: _index_ready(ctx)

    async def on_stopping(ctx: ServiceContext) -> None:
        task: asyncio.Task[None] | None = ctx.state.get("startup_index")
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ServiceDefinition(
        name="rag",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=[KnowledgeController],
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
    )


async def _startup_index(indexer: Indexer, settings: RagSettings) -> None:
    if settings.docs_dir:
        await indexer.sync_directory(settings.docs_dir, settings.docs_base_url)
    # After a change of how chunks are tokenised, chunks stored earlier get new tsvectors.
    await indexer.refresh_fulltext()
    # After a model change every stored vector is stale: re-embed them all.
    await indexer.reembed_stale()


async def _index_ready(ctx: ServiceContext) -> str:
    task: asyncio.Task[None] = ctx.state["startup_index"]
    if not task.done():
        return "indexing"
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    return "ok" if exc is None else f"failed: {exc}"
