"""Hybrid search: vector and full-text candidates fused by normalised score, filtered, cited."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import asyncpg
import numpy as np
import structlog
from em_shared.contracts.knowledge import SearchHit, SearchQuery, SearchResults
from em_shared.messaging.errors import InvalidInput

from rag_svc.domain.exact_index import ExactIndex
from rag_svc.domain.fusion import cap_per_document, convex_combination
from rag_svc.domain.phrases import phrase_terms
from rag_svc.domain.query import QueryRejected, expand_query, phrase_text, search_terms, validate_query
from rag_svc.domain.term_weights import Lexicon, lexeme_weight, term_query
from rag_svc.domain.vector_cache import VectorCache
from rag_svc.embeddings.base import Embedder
from rag_svc.repository import documents as doc_repo
from rag_svc.repository import search as repo
from rag_svc.repository.vectors import VectorCapability

log = structlog.get_logger("rag.search")

CANDIDATES = 50  # per ranking: fusion needs the heads of both lists; the 50th sets each list's score floor
# Words in more than this share of chunks rank but do not select full-text candidates (see term_weights).
COMMON_FRACTION = 0.1
MAX_CHUNKS_PER_DOCUMENT = 3  # in one answer (more only when nothing else matched)
LEXICON_TTL_S = 60.0  # how stale the word frequencies may get; new words count as rare meanwhile


class Searcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        embedder: Embedder,
        capability: VectorCapability,
        query_cache_size: int = 0,
    ) -> None:
        self._pool = pool
        self._embedder = embedder
        self.capability = capability
        self.query_vectors = VectorCache(query_cache_size)
        self._exact: ExactIndex | None = None
        self._exact_lock = asyncio.Lock()
        self._lexicon: Lexicon | None = None
        self._lexicon_read_at = 0.0
        self._lexicon_refresh: asyncio.Task[None] | None = None

    async def search(self, request: SearchQuery) -> SearchResults:
        try:
            query = validate_query(request.query)
        except QueryRejected as exc:
            raise InvalidInput(str(exc)) from exc
        limit = max(CANDIDATES, request.k * 4)
        vector_task = asyncio.create_task(self._vector_ranking(query, request, limit))
        lexicon = await self._current_lexicon()
        async with self._pool.acquire() as conn:
            lexemes = await repo.query_lexemes(conn, search_terms(query))
            terms = term_query(lexemes, lexicon, COMMON_FRACTION)
            positions = await repo.query_positions(conn, phrase_text(query))
            weights = {lx: lexeme_weight(lx, lexicon) for lx, _ in positions}
            terms = replace(terms, phrases=phrase_terms(positions, weights))
            text_ranking = await repo.text_candidates(conn, terms, request.filters, limit)
        vector_ranking = await vector_task
        fused = cap_per_document(
            convex_combination([vector_ranking, text_ranking]), request.k, MAX_CHUNKS_PER_DOCUMENT
        )
        if not fused:
            return SearchResults(results=[])
        async with self._pool.acquire() as conn:
            rows = await repo.hits(conn, [chunk_id for chunk_id, _ in fused])
        results = [
            SearchHit(
                document_id=r["document_id"],
                chunk_id=chunk_id,
                heading_path=list(r["heading_path"]),
                text=r["text"],
                score=round(score, 6),
                title=r["title"],
                kind=r["kind"],
                url=r["url"],
            )
            for chunk_id, score in fused
            if (r := rows.get(chunk_id)) is not None  # deleted between ranking and fetching
        ]
        return SearchResults(results=results)

    async def _current_lexicon(self) -> Lexicon:
        """Word frequencies for term weights: read once, then refreshed in the background when stale,
        so no search waits for the ~50 ms read (at 10,000 chunks) after the first."""
        if self._lexicon is None:
            await self._read_lexicon()
        elif time.monotonic() - self._lexicon_read_at > LEXICON_TTL_S and (
            self._lexicon_refresh is None or self._lexicon_refresh.done()
        ):
            self._lexicon_read_at = time.monotonic()  # one refresh at a time
            self._lexicon_refresh = asyncio.create_task(self._refresh_lexicon())
        return self._lexicon or Lexicon()

    async def _refresh_lexicon(self) -> None:
        try:
            await self._read_lexicon()
        except Exception:  # the previous frequencies stay in use; the next search retries after the TTL
            log.warning("lexicon refresh failed", exc_info=True)

    async def _read_lexicon(self) -> None:
        async with self._pool.acquire() as conn:
            chunks, frequency = await repo.lexicon(conn)
        self._lexicon = Lexicon(chunks, frequency)
        self._lexicon_read_at = time.monotonic()

    async def _vector_ranking(self, query: str, request: SearchQuery, limit: int) -> list[tuple[str, float]]:
        model = self._embedder.model_id
        text = expand_query(query)
        vector = self.query_vectors.get(model, text)
        if vector is None:
            vector = (await self._embedder.embed([text]))[0]
            self.query_vectors.put(model, text, vector)
        async with self._pool.acquire() as conn:
            if self.capability.backend == "pgvector":
                return await repo.pgvector_candidates(
                    conn, self.capability, vector, model, request.filters, limit
                )
            index = await self._exact_index(conn, model)
            filters = request.filters
            allowed = None
            if filters.service or filters.team or filters.kind or filters.tags:
                allowed = await repo.filtered_ids(conn, model, filters)
        return index.nearest_scored(vector, limit, allowed)

    async def _exact_index(self, conn: asyncpg.Connection, model: str) -> ExactIndex:
        """The in-memory matrix, reloaded when any writer (this process or another) bumped the generation."""
        generation = await doc_repo.generation(conn)
        if self._exact is not None and self._exact.generation == generation:
            return self._exact
        async with self._exact_lock:
            if self._exact is None or self._exact.generation != generation:
                ids, matrix = await repo.load_vectors(conn, model)
                self._exact = ExactIndex(ids, matrix if ids else np.zeros((0, 0), np.float32), generation)
        return self._exact
