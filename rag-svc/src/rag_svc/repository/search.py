"""Search queries: full-text candidates, pgvector candidates, filter-only candidates, and hit rows."""

from __future__ import annotations

from typing import Any

import asyncpg
import numpy as np
from em_shared.contracts.knowledge import SearchFilters

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


async def text_candidates(
    conn: asyncpg.Connection, tsquery: str, filters: SearchFilters, limit: int
) -> list[str]:
    """Chunk ids ranked by ts_rank_cd (cover density, normalised by document length) for an OR-query."""
    if not tsquery:
        return []
    args: list[Any] = [tsquery, limit]
    where = filter_sql(filters, args)
    rows = await conn.fetch(
        f"""SELECT id FROM chunks, to_tsquery('english', $1) q
            WHERE tsv @@ q{where}
            ORDER BY ts_rank_cd(tsv, q, 1) DESC, id LIMIT $2""",
        *args,
    )
    return [r["id"] for r in rows]


async def pgvector_candidates(
    conn: asyncpg.Connection,
    cap: VectorCapability,
    query: np.ndarray,
    model: str,
    filters: SearchFilters,
    limit: int,
) -> list[str]:
    """Nearest chunks by cosine distance through the HNSW index (model and dimension must match)."""
    dim = int(query.shape[0])
    args: list[Any] = [_vector_literal(query), model, limit]
    where = filter_sql(filters, args)
    async with conn.transaction():
        # Filters are applied after the index walk (pgvector 0.6 has no iterative scan): widen the walk.
        await conn.execute(f"SET LOCAL hnsw.ef_search = {200 if where else 64}")
        rows = await conn.fetch(
            f"""SELECT id FROM chunks
                WHERE embedding_dim = {dim} AND embedding_model = $2{where}
                ORDER BY (embedding::{cap.vector_type(dim)}) {cap.cosine_operator} $1::{cap.vector_type(dim)}
                LIMIT $3""",
            *args,
        )
    return [r["id"] for r in rows]


async def filtered_ids(conn: asyncpg.Connection, model: str, filters: SearchFilters) -> list[str]:
    args: list[Any] = [model]
    where = filter_sql(filters, args)
    return [
        r["id"] for r in await conn.fetch(f"SELECT id FROM chunks WHERE embedding_model = $1{where}", *args)
    ]


async def load_vectors(conn: asyncpg.Connection, model: str) -> tuple[list[str], np.ndarray]:
    """Every chunk vector of `model`, for the exact path's in-memory matrix."""
    rows = await conn.fetch("SELECT id, embedding FROM chunks WHERE embedding_model = $1 ORDER BY id", model)
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return [r["id"] for r in rows], np.asarray([r["embedding"] for r in rows], dtype=np.float32)


async def hits(conn: asyncpg.Connection, ids: list[str]) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT c.id, c.document_id, c.heading_path, c.text, c.kind, d.title, d.url
           FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::text[])""",
        ids,
    )
    return {r["id"]: r for r in rows}


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
