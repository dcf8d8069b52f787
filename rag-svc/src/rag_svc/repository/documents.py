"""Documents and their chunks: read the stored hash, replace a document's chunks atomically, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from rag_svc.domain.documents import FULLTEXT_VERSION, Document, fulltext_inputs

# Title and heading path weigh more than body text: a runbook titled "Disk full" is about disks.
# The inputs come from fulltext_inputs (identifiers spelled out as words).
_TSV = "setweight(to_tsvector('english', ${head}), 'A') || setweight(to_tsvector('english', ${body}), 'B')"


@dataclass(frozen=True)
class ChunkRow:
    ordinal: int
    heading_path: tuple[str, ...]
    text: str
    embed_hash: str
    embedding: list[float]


async def stored_hash(conn: asyncpg.Connection, doc_id: str) -> str | None:
    return await conn.fetchval("SELECT content_hash FROM documents WHERE id = $1", doc_id)


async def reusable_embeddings(conn: asyncpg.Connection, doc_id: str, model: str) -> dict[str, list[float]]:
    """Vectors of the document's current chunks by what the model read: unchanged chunks skip the model."""
    rows = await conn.fetch(
        "SELECT embed_hash, embedding FROM chunks WHERE document_id = $1 AND embedding_model = $2",
        doc_id,
        model,
    )
    return {r["embed_hash"]: r["embedding"] for r in rows}


async def replace_document(
    conn: asyncpg.Connection, doc: Document, content_hash: str, model: str, chunks: list[ChunkRow]
) -> None:
    """Upsert the document and swap all its chunks in one transaction: searches see old or new, never half."""
    async with conn.transaction():
        await conn.execute(
            """INSERT INTO documents (id, title, kind, service, team, tags, url, source, content_hash, chunk_count)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (id) DO UPDATE SET title = $2, kind = $3, service = $4, team = $5, tags = $6, url = $7,
                   source = $8, content_hash = $9, chunk_count = $10, updated_at = now()""",
            doc.id,
            doc.title,
            doc.kind,
            doc.service,
            doc.team,
            list(doc.tags),
            doc.url,
            doc.source,
            content_hash,
            len(chunks),
        )
        await conn.execute("DELETE FROM chunks WHERE document_id = $1", doc.id)
        if chunks:
            await conn.executemany(
                f"""INSERT INTO chunks (id, document_id, ordinal, heading_path, text, kind, service, team, tags,
                        embed_hash, embedding, embedding_dim, embedding_model, tsv, tsv_version)
                    VALUES ($1 || '#' || $2::int::text, $1, $2::int, $3, $4, $5, $6, $7, $8, $9, $10::real[],
                            cardinality($10::real[]), $11, {_TSV.format(head="12", body="13")}, $14)""",
                [
                    (
                        doc.id,
                        c.ordinal,
                        list(c.heading_path),
                        c.text,
                        doc.kind,
                        doc.service,
                        doc.team,
                        list(doc.tags),
                        c.embed_hash,
                        c.embedding,
                        model,
                        *fulltext_inputs(doc.title, c.heading_path, c.text),
                        FULLTEXT_VERSION,
                    )
                    for c in chunks
                ],
            )
        await bump_generation(conn)


async def delete_document(conn: asyncpg.Connection, doc_id: str) -> bool:
    async with conn.transaction():
        deleted = await conn.fetchval("DELETE FROM documents WHERE id = $1 RETURNING id", doc_id)
        if deleted:
            await bump_generation(conn)
    return deleted is not None


async def document_ids(conn: asyncpg.Connection, source: str) -> set[str]:
    return {r["id"] for r in await conn.fetch("SELECT id FROM documents WHERE source = $1", source)}


async def get_document(conn: asyncpg.Connection, doc_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """SELECT id, title, kind, service, team, tags, url, source, content_hash, chunk_count,
                  (SELECT array_agg(DISTINCT embedding_model) FROM chunks WHERE document_id = d.id) AS models
           FROM documents d WHERE id = $1""",
        doc_id,
    )
    return dict(row) if row else None


async def stale_chunks(conn: asyncpg.Connection, model: str, limit: int) -> list[asyncpg.Record]:
    """Chunks embedded by another model (or version) than the current one, with what the model reads."""
    return await conn.fetch(
        """SELECT c.id, c.heading_path, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
           WHERE c.embedding_model <> $1 ORDER BY c.id LIMIT $2""",
        model,
        limit,
    )


async def update_embeddings(
    conn: asyncpg.Connection, model: str, rows: list[tuple[str, list[float]]]
) -> None:
    async with conn.transaction():
        await conn.executemany(
            """UPDATE chunks SET embedding = $2::real[], embedding_dim = cardinality($2::real[]), embedding_model = $3
               WHERE id = $1""",
            [(chunk_id, vector, model) for chunk_id, vector in rows],
        )
        await bump_generation(conn)


async def stale_fulltext(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Chunks whose tsvector was built by an older FULLTEXT_VERSION, with what it is built from."""
    return await conn.fetch(
        """SELECT c.id, c.heading_path, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
           WHERE c.tsv_version <> $1 ORDER BY c.id LIMIT $2""",
        FULLTEXT_VERSION,
        limit,
    )


async def update_fulltext(conn: asyncpg.Connection, rows: list[tuple[str, str, str]]) -> None:
    """Rebuild the tsvector of chunks from (id, heading part, body) at the current FULLTEXT_VERSION."""
    await conn.executemany(
        f"UPDATE chunks SET tsv = {_TSV.format(head='2', body='3')}, tsv_version = $4 WHERE id = $1",
        [(chunk_id, head, body, FULLTEXT_VERSION) for chunk_id, head, body in rows],
    )


async def bump_generation(conn: asyncpg.Connection) -> None:
    await conn.execute("UPDATE index_state SET generation = generation + 1 WHERE id = 1")


async def generation(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT generation FROM index_state WHERE id = 1"))


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM chunks) AS chunks"
    )
    return {"documents": int(row["documents"]), "chunks": int(row["chunks"])}


async def stale_chunks_of(conn: asyncpg.Connection, doc_id: str, model: str) -> bool:
    """Whether any chunk of the document was embedded by another model than `model`."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM chunks WHERE document_id = $1 AND embedding_model <> $2)",
            doc_id,
            model,
        )
    )


async def analyze(conn: asyncpg.Connection) -> None:
    await conn.execute("ANALYZE chunks")
