"""Search queries: full-text candidates, pgvector candidates, filter-only candidates, and hit rows."""

from __future__ import annotations

from typing import Any

import asyncpg
import numpy as np
from em_shared.contracts.knowledge import SearchFilters

from rag_svc.domain.term_weights import TermQuery
from rag_svc.repository.vectors import VectorCapability


def filter_sql(filters: SearchFilters, args: list[Any]) -> str:
    """`AND ...` conditions on the chunk's copied document fields; appends their values to `args`."""
    parts: list[str] = []
    for column in ("service", "team", "kind"):
        value = getattr(filters, column)
        if value is not None:
            args.append(value)
            parts.append(f"{column} = ${len(args)}")
    if filters.tags:
        args.append(sorted({t.strip().lower() for t in filters.tags}))
        parts.append(f"tags @> ${len(args)}::text[]")  # every requested tag
    return "".join(f" AND {p}" for p in parts)


async def query_lexemes(conn: asyncpg.Connection, words: list[str]) -> list[str]:
    """The English-stemmed lexemes of `words` (stop words dropped), as the tsvectors hold them."""
    if not words:
        return []
    rows = await conn.fetch("SELECT lexeme FROM unnest(to_tsvector('english', $1))", " ".join(words))
    return [r["lexeme"] for r in rows]


async def lexicon(conn: asyncpg.Connection) -> tuple[int, dict[str, int]]:
    """How many chunks there are and how many hold each lexeme (ts_stat over the stored tsvectors).

    Reads every tsvector without parsing text: ~50 ms at 10,000 chunks, so the search keeps it in
    memory and refreshes it in the background.
    """
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        chunks = await conn.fetchval("SELECT count(*) FROM chunks")
        rows = await conn.fetch("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks')")
    return int(chunks), {r["word"]: int(r["ndoc"]) for r in rows}


async def query_positions(conn: asyncpg.Connection, text: str) -> list[tuple[str, list[int]]]:
    """The query's tsvector as (lexeme, positions), parsed as the chunks' are (for phrases)."""
    if not text.strip():
        return []
    rows = await conn.fetch("SELECT lexeme, positions FROM unnest(to_tsvector('english', $1))", text)
    return [(r["lexeme"], list(r["positions"] or [])) for r in rows]


RERANK_POOL = 2  # phrases rerank this many times `limit` of the best bag-of-words candidates


async def text_candidates(
    conn: asyncpg.Connection, query: TermQuery, filters: SearchFilters, limit: int
) -> list[tuple[str, float]]:
    """Chunk ids (with their score) holding any `select` lexeme, ranked by the weighted sum of each `rank` lexeme's ts_rank,
    then the best `RERANK_POOL * limit` of them reranked with each query phrase the chunk holds.

    Per lexeme, ts_rank is its position-weighted frequency in the chunk normalised by length (title
    and headings weigh more than body text); the weight is its inverse document frequency. ts_rank of
    the whole OR-query would average the lexemes with equal weights. Not ts_rank_cd: its cover-density
    pass costs ~3x more on OR-queries of many words (measured at 10,000 chunks). Phrases are scored
    on the pool only, so their cost does not grow with the table.
    """
    if not query.select:
        return []
    args: list[Any] = [
        " | ".join(
            [_quoted(lx) for lx in query.select]
            + [f"({_quoted(a)} & {_quoted(b)})" for a, b in query.select_pairs]
        ),
        limit,
        [_quoted(lx) for lx, _ in query.rank],
        [w for _, w in query.rank],
        limit * RERANK_POOL,
        [p for p, _ in query.phrases],
        [w for _, w in query.phrases],
    ]
    where = filter_sql(filters, args)
    rows = await conn.fetch(
        f"""WITH pool AS (
                SELECT id, tsv, (SELECT sum(u.w * ts_rank(tsv, u.t, 1))
                                 FROM unnest($3::tsquery[], $4::float8[]) AS u(t, w)) AS score
                FROM chunks, CAST($1 AS tsquery) q
                WHERE tsv @@ q{where}
                ORDER BY score DESC, id
                LIMIT $5)
            SELECT id, coalesce(score, 0) + coalesce((SELECT sum(p.w * ts_rank(tsv, p.t, 1))
                                                      FROM unnest($6::tsquery[], $7::float8[]) AS p(t, w)
                                                      WHERE tsv @@ p.t), 0) AS score
            FROM pool
            ORDER BY score DESC, id
            LIMIT $2""",
        *args,
    )
    return [(r["id"], float(r["score"] or 0.0)) for r in rows]


async def pgvector_candidates(
    conn: asyncpg.Connection,
    cap: VectorCapability,
    query: np.ndarray,
    model: str,
    filters: SearchFilters,
    limit: int,
) -> list[tuple[str, float]]:
    """Nearest chunks (with cosine similarity) through the HNSW index (model and dimension must match)."""
    dim = int(query.shape[0])
    args: list[Any] = [_vector_literal(query), model, limit]
    where = filter_sql(filters, args)
    # Filters are applied after the index walk (pgvector 0.6 has no iterative scan): widen the walk.
    # A session setting, not SET LOCAL in a transaction: two round trips instead of four on the
    # search's critical path. Every pgvector query sets its own value first, and the pool's
    # release (RESET ALL) clears it for other users of the connection.
    await conn.execute(f"SET hnsw.ef_search = {200 if where else 64}")
    rows = await conn.fetch(
        f"""SELECT id, (embedding::{cap.vector_type(dim)}) {cap.cosine_operator} $1::{cap.vector_type(dim)} AS distance
            FROM chunks
            WHERE embedding_dim = {dim} AND embedding_model = $2{where}
            ORDER BY (embedding::{cap.vector_type(dim)}) {cap.cosine_operator} $1::{cap.vector_type(dim)}
            LIMIT $3""",
        *args,
    )
    return [(r["id"], 1.0 - float(r["distance"])) for r in rows]


async def filtered_ids(conn: asyncpg.Connection, model: str, filters: SearchFilters) -> list[str]:
    args: list[Any] = [model]
    where = filter_sql(filters, args)
    return [
        r["id"] for r in await conn.fetch(f"SELECT id FROM chunks WHERE embedding_model = $1{where}", *args)
    ]


async def load_vectors(conn: asyncpg.Connection, model: str) -> tuple[list[str], np.ndarray]:
    """Every chunk vector of `model`, for the exact path's in-memory matrix.

    Read in PostgreSQL's binary array format (`array_send`) and decoded by NumPy in one pass:
    as float4[] values asyncpg would build a Python float per element (3.8 million at 10,000
    chunks), ~1.5x slower and ~90 MB of peak memory the allocator then keeps.
    """
    rows = await conn.fetch(
        "SELECT id, array_send(embedding) AS embedding FROM chunks WHERE embedding_model = $1 ORDER BY id",
        model,
    )
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return [r["id"] for r in rows], decode_float4_arrays([r["embedding"] for r in rows])


def decode_float4_arrays(values: list[bytes]) -> np.ndarray:
    """(n, dim) float32 from `array_send` of n one-dimensional float4[] of one length, no NULLs.

    The binary format: a 20-byte header (ndim, has-nulls flag, element type, length, lower bound),
    then per element a 4-byte length and the big-endian float.
    """
    size = len(values[0])
    if any(len(v) != size for v in values) or (size - 20) % 8:
        raise ValueError("stored vectors of one model differ in length")
    words = np.frombuffer(b"".join(values), dtype=">i4").reshape(len(values), size // 4)
    if words[:, 1].any() or (words[:, 5::2] != 4).any():
        raise ValueError("stored vectors contain NULL elements")
    return words[:, 6::2].view(">f4").astype(np.float32)


async def hits(conn: asyncpg.Connection, ids: list[str]) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT c.id, c.document_id, c.heading_path, c.text, c.kind, d.title, d.url
           FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::text[])""",
        ids,
    )
    return {r["id"]: r for r in rows}


def _quoted(lexeme: str) -> str:
    """A lexeme as a tsquery operand: lexemes are stems of [a-z0-9] words, quoting keeps syntax out anyway."""
    return "'" + lexeme.replace("'", "''") + "'"


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
