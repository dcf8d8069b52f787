"""HTTP API of rag-svc: documents in, hybrid search out, reindex on demand, index status."""

from __future__ import annotations

from typing import Any

import msgspec
from em_shared.contracts.knowledge import DocumentIndexed, DocumentUpsert, SearchQuery, SearchResults
from em_shared.messaging.errors import InvalidInput, NotFound
from em_shared.runtime.context import ServiceContext
from litestar import Controller, delete, get, post, put

from rag_svc.domain.documents import KINDS, Document, normalize_tags
from rag_svc.handlers.indexing import Indexer
from rag_svc.handlers.search import Searcher
from rag_svc.repository import documents as repo


class IndexStatus(msgspec.Struct, frozen=True, kw_only=True):
    vector_backend: str  # pgvector | exact
    vector_backend_reason: str
    embedding_model: str
    documents: int
    chunks: int


class ReindexReport(msgspec.Struct, frozen=True, kw_only=True):
    indexed: int
    unchanged: int
    deleted: int
    chunks_embedded: int
    chunks_reembedded: int
    seconds: float


def _doc_id(raw: str) -> str:
    return raw.lstrip("/")


class KnowledgeController(Controller):
    path = "/v1"
    tags = ["knowledge"]

    @post("/search", status_code=200)
    async def search(self, ctx: ServiceContext, data: SearchQuery) -> SearchResults:
        """Hybrid (vector + full-text, fused by reciprocal rank) search over runbooks and incidents."""
        searcher: Searcher = ctx.state["searcher"]
        return await searcher.search(data)

    @put("/documents/{doc_id:path}", status_code=200)
    async def put_document(self, ctx: ServiceContext, doc_id: str, data: DocumentUpsert) -> DocumentIndexed:
        """Create or replace a document; unchanged content is a no-op, changed content swaps its chunks."""
        if data.kind not in KINDS:
            raise InvalidInput(f"unknown kind {data.kind!r}; expected one of {', '.join(KINDS)}")
        indexer: Indexer = ctx.state["indexer"]
        outcome = await indexer.upsert(
            Document(
                id=_doc_id(doc_id),
                text=data.text,
                title=data.title,
                kind=data.kind,
                service=data.service,
                team=data.team,
                tags=normalize_tags(data.tags),
                url=data.url,
                source="api",
            )
        )
        return DocumentIndexed(
            document_id=outcome.document_id,
            status=outcome.status,
            chunks=outcome.chunks,
            embedded=outcome.embedded,
        )

    @delete("/documents/{doc_id:path}", status_code=204)
    async def delete_document(self, ctx: ServiceContext, doc_id: str) -> None:
        """Remove a document and its chunks from every later search."""
        indexer: Indexer = ctx.state["indexer"]
        await indexer.delete(_doc_id(doc_id))

    @get("/documents/{doc_id:path}")
    async def get_document(self, ctx: ServiceContext, doc_id: str) -> dict[str, Any]:
        """A document's metadata, content hash, chunk count and the embedding model(s) of its chunks."""
        assert ctx.pool is not None
        async with ctx.pool.acquire() as conn:
            row = await repo.get_document(conn, _doc_id(doc_id))
        if row is None:
            raise NotFound(f"no document {_doc_id(doc_id)!r}")
        return row

    @post("/reindex", status_code=200)
    async def reindex(self, ctx: ServiceContext) -> ReindexReport:
        """Sync RAG_DOCS_DIR now and re-embed chunks of another model than the current one."""
        indexer: Indexer = ctx.state["indexer"]
        settings = ctx.settings
        if not settings.docs_dir:
            raise InvalidInput("RAG_DOCS_DIR is not set; nothing to reindex from")
        report = await indexer.sync_directory(settings.docs_dir, settings.docs_base_url)
        reembedded = await indexer.reembed_stale()
        return ReindexReport(
            indexed=report.indexed,
            unchanged=report.unchanged,
            deleted=report.deleted,
            chunks_embedded=report.chunks_embedded,
            chunks_reembedded=reembedded,
            seconds=round(report.seconds, 3),
        )

    @get("/index")
    async def status(self, ctx: ServiceContext) -> IndexStatus:
        """Which vector path serves searches (and why), the model, and the index size."""
        searcher: Searcher = ctx.state["searcher"]
        assert ctx.pool is not None
        async with ctx.pool.acquire() as conn:
            sizes = await repo.counts(conn)
        return IndexStatus(
            vector_backend=searcher.capability.backend,
            vector_backend_reason=searcher.capability.reason,
            embedding_model=ctx.state["embedder"].model_id,
            **sizes,
        )
