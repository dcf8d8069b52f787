"""Which vector path this database offers: pgvector with an HNSW index, or exact cosine over float4[].

The extension may be missing (this machine's PostgreSQL 15) or not creatable (no privilege), so
the service probes at startup instead of assuming. The index is on `embedding::vector(dim)`, partial
on `embedding_dim = dim`: one float4[] column serves both paths, and a model with another
dimension gets its own index rather than a failed cast.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import structlog

log = structlog.get_logger("rag.vectors")


@dataclass(frozen=True)
class VectorCapability:
    backend: str  # pgvector | exact
    extension_schema: str | None = None
    reason: str = ""

    def vector_type(self, dim: int) -> str:
        return f'"{self.extension_schema}".vector({dim})'

    @property
    def cosine_operator(self) -> str:
        return f'OPERATOR("{self.extension_schema}".<=>)'


async def _extension_schema(conn: asyncpg.Connection) -> str | None:
    return await conn.fetchval(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'"
    )


async def probe_pgvector(conn: asyncpg.Connection) -> VectorCapability:
    """Use pgvector if installed, else try to install it (into public, shared by every service)."""
    schema = await _extension_schema(conn)
    if schema is None:
        available = await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
        if not available:
            return VectorCapability("exact", reason="the pgvector extension is not installed on this server")
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public")
        except (asyncpg.UniqueViolationError, asyncpg.DuplicateObjectError):
            pass  # another service or test created it at the same moment
        except asyncpg.PostgresError as exc:
            return VectorCapability("exact", reason=f"CREATE EXTENSION vector failed: {exc}")
        schema = await _extension_schema(conn)
    if schema is None:
        return VectorCapability("exact", reason="pgvector could not be created")
    return VectorCapability("pgvector", extension_schema=schema)


async def ensure_hnsw_index(conn: asyncpg.Connection, cap: VectorCapability, dim: int) -> None:
    assert cap.backend == "pgvector"
    name = f"chunks_embedding_hnsw_{dim}"
    await conn.execute(
        f"CREATE INDEX IF NOT EXISTS {name} ON chunks USING hnsw "
        f'((embedding::{cap.vector_type(dim)}) "{cap.extension_schema}".vector_cosine_ops) '
        f"WHERE embedding_dim = {int(dim)}"
    )
