"""Indexing use cases: upsert/delete a document, sync a directory, index an incident, re-embed stale chunks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import structlog
from em_shared.contracts.incidents import IncidentChanged
from em_shared.messaging.errors import InvalidInput, NotFound

from rag_svc.domain.documents import (
    Document,
    document_from_file,
    embedding_input,
    fulltext_inputs,
    text_hash,
    valid_document_id,
)
from rag_svc.domain.incidents import INDEXED_CHANGES, incident_document
from rag_svc.embeddings.base import Embedder
from rag_svc.repository import documents as repo

log = structlog.get_logger("rag.indexing")
# HTML: wiki exports (Confluence "Export space > HTML" writes one .html per page), read as Markdown.
DOC_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")


@dataclass(frozen=True)
class IngestOutcome:
    document_id: str
    status: str  # indexed | unchanged
    chunks: int
    embedded: int  # chunks that went through the model (others reused their stored vector)


@dataclass(frozen=True)
class SyncReport:
    indexed: int
    unchanged: int
    deleted: int
    chunks_embedded: int
    seconds: float


class Indexer:
    def __init__(self, pool: asyncpg.Pool, embedder: Embedder, max_words: int, overlap_words: int) -> None:
        self._pool = pool
        self._embedder = embedder
        self._max_words = max_words
        self._overlap = overlap_words

    async def upsert(self, doc: Document) -> IngestOutcome:
        if not valid_document_id(doc.id):
            raise InvalidInput(f"invalid document id {doc.id!r}: letters, digits and . _ : @ / - (max 200)")
        if not doc.text.strip():
            raise InvalidInput("document text is empty")
        content_hash = doc.content_hash(self._max_words, self._overlap)
        model = self._embedder.model_id
        async with self._pool.acquire() as conn:
            current = await repo.stored_hash(conn, doc.id)
            stale = current is not None and bool(await repo.stale_chunks_of(conn, doc.id, model))
            if current == content_hash and not stale:
                return IngestOutcome(doc.id, "unchanged", 0, 0)
            reusable = await repo.reusable_embeddings(conn, doc.id, model)
        chunks = doc.chunks(self._max_words, self._overlap)
        inputs = [embedding_input(doc.title, c.heading_path, c.text) for c in chunks]
        hashes = [text_hash(i) for i in inputs]
        todo = [i for i, h in enumerate(hashes) if h not in reusable]
        # The model runs outside any transaction: a slow embed never holds row locks.
        fresh = await self._embedder.embed([inputs[i] for i in todo]) if todo else None
        vectors = {i: fresh[n].tolist() for n, i in enumerate(todo)} if fresh is not None else {}
        rows = [
            repo.ChunkRow(c.ordinal, c.heading_path, c.text, hashes[i], vectors.get(i) or reusable[hashes[i]])
            for i, c in enumerate(chunks)
        ]
        async with self._pool.acquire() as conn:
            await repo.replace_document(conn, doc, content_hash, model, rows)
        log.info("document indexed", document_id=doc.id, chunks=len(rows), embedded=len(todo))
        return IngestOutcome(doc.id, "indexed", len(rows), len(todo))

    async def delete(self, doc_id: str) -> None:
        async with self._pool.acquire() as conn:
            if not await repo.delete_document(conn, doc_id):
                raise NotFound(f"no document {doc_id!r}")

    async def sync_directory(self, directory: str, base_url: str = "") -> SyncReport:
        """Index every Markdown/text/HTML file under `directory`; files gone from it leave the index."""
        started = time.perf_counter()
        root = Path(directory)
        if not root.is_dir():
            raise InvalidInput(f"RAG_DOCS_DIR {directory!r} is not a directory")
        seen: set[str] = set()
        indexed = unchanged = embedded = 0
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in DOC_SUFFIXES and p.is_file()):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts):
                continue  # .git and other hidden trees of a checkout
            doc_id = f"file:{rel.with_suffix('').as_posix()}"
            if doc_id in seen:  # `deploy.md` beside `deploy.html`: the second keeps its suffix
                doc_id = f"file:{rel.as_posix()}"
            url = f"{base_url.rstrip('/')}/{rel.as_posix()}" if base_url else None
            doc = document_from_file(
                doc_id,
                path.read_text(encoding="utf-8", errors="replace"),
                rel.stem.replace("-", " ").replace("_", " "),
                url,
            )
            if not doc.text.strip() or not valid_document_id(doc_id):
                log.warning("skipping document", path=str(rel))
                continue
            seen.add(doc_id)
            outcome = await self.upsert(doc)
            indexed += outcome.status == "indexed"
            unchanged += outcome.status == "unchanged"
            embedded += outcome.embedded
        async with self._pool.acquire() as conn:
            gone = await repo.document_ids(conn, "dir") - seen
            for doc_id in sorted(gone):
                await repo.delete_document(conn, doc_id)
            if indexed or gone:
                await repo.analyze(conn)  # fresh planner statistics after a bulk change
        report = SyncReport(indexed, unchanged, len(gone), embedded, time.perf_counter() - started)
        log.info("directory synced", directory=directory, **report.__dict__)
        return report

    async def index_incident(
        self, event: IncidentChanged, notes: list[str] | None = None
    ) -> IngestOutcome | None:
        if event.change not in INDEXED_CHANGES:
            return None
        return await self.upsert(incident_document(event, notes))

    async def refresh_fulltext(self, batch: int = 500) -> int:
        """Rebuild tsvectors written by an older FULLTEXT_VERSION (no model involved); returns how many."""
        total = 0
        while True:
            async with self._pool.acquire() as conn:
                rows = await repo.stale_fulltext(conn, batch)
                if not rows:
                    break
                await repo.update_fulltext(
                    conn,
                    [
                        (r["id"], *fulltext_inputs(r["title"], tuple(r["heading_path"]), r["text"]))
                        for r in rows
                    ],
                )
            total += len(rows)
        if total:
            async with self._pool.acquire() as conn:
                await repo.analyze(conn)
            log.info("full-text index rebuilt", chunks=total)
        return total

    async def reembed_stale(self, batch: int = 256) -> int:
        """Re-embed chunks whose recorded model differs from the current one; returns how many."""
        model, total = self._embedder.model_id, 0
        while True:
            async with self._pool.acquire() as conn:
                rows = await repo.stale_chunks(conn, model, batch)
            if not rows:
                break
            inputs = [embedding_input(r["title"], tuple(r["heading_path"]), r["text"]) for r in rows]
            vectors = await self._embedder.embed(inputs)
            async with self._pool.acquire() as conn:
                await repo.update_embeddings(
                    conn, model, [(r["id"], v.tolist()) for r, v in zip(rows, vectors, strict=True)]
                )
            total += len(rows)
        if total:
            log.info("chunks re-embedded", model=model, chunks=total)
        return total
