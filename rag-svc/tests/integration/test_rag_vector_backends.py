"""Both vector paths on the server at hand: exact (float4[] + NumPy) and pgvector (HNSW).

The test id says which pgvector situation ran (`pgvector-available`, `pgvector-embedded-pgserver`
or `pgvector-missing-on-server`). Where the server lacks the extension, the pgvector case proves
that forcing it fails loudly at startup instead of passing without exercising anything.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from em_shared.testing.live import live_service
from rag_svc.app import choose_vector_backend, create_service

DOCS = {
    "tls": "# Certificate expiry\n\nRenew the TLS certificate with cert-manager before it expires.",
    "oom": "# OOM killed\n\nThe container exceeded its memory limit and was killed.",
    "dns": "# DNS\n\nCoreDNS returns SERVFAIL; scale the resolver pods.",
}


async def test_vector_backend(vector_backend, rag_settings, ready, db, capsys, request) -> None:
    available = bool(await db.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"))
    settings = rag_settings(vector_backend=vector_backend)
    if vector_backend == "pgvector" and not available:
        # Only a run whose id announced the missing extension may take this branch.
        assert "missing-on-server" in request.node.callspec.id, "pgvector expected on this server but missing"
        from em_shared.storage.pool import create_pool

        pool = await create_pool(settings.database_url, "public", 1, 1)
        try:
            with pytest.raises(RuntimeError, match="RAG_VECTOR_BACKEND=pgvector but the pgvector extension"):
                await choose_vector_backend(SimpleNamespace(pool=pool), settings, 64)  # type: ignore[arg-type]
        finally:
            await pool.close()
        with capsys.disabled():
            print(
                "\n[rag] pgvector is not installed on this PostgreSQL: verified that forcing it refuses to "
                "start; the HNSW path was NOT exercised on this server"
            )
        return

    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            status = (await http.get("/v1/index")).json()
            assert status["vector_backend"] == vector_backend
            for doc_id, text in DOCS.items():
                await http.put(f"/v1/documents/{doc_id}", json={"text": text, "kind": "runbook"})
            hits = (await http.post("/v1/search", json={"query": "renew certificate expires", "k": 3})).json()
            assert hits["results"][0]["document_id"] == "tls"
            # Vector ranking alone (no shared words with any document for full-text to match).
            searcher = svc.ctx.state["searcher"]
            from em_shared.contracts.knowledge import SearchQuery

            scored = await searcher._vector_ranking("coredns servfail resolver", SearchQuery(query="x"), 3)
            ranking = [chunk_id for chunk_id, _ in scored]
            assert ranking[0] == "dns#0" and set(ranking) == {"dns#0", "tls#0", "oom#0"}
            similarities = [similarity for _, similarity in scored]
            assert similarities == sorted(similarities, reverse=True) and -1.0 <= similarities[-1] <= 1.0
            await http.delete("/v1/documents/dns")
            scored = await searcher._vector_ranking("coredns servfail resolver", SearchQuery(query="x"), 3)
            ranking = [chunk_id for chunk_id, _ in scored]
            assert "dns#0" not in ranking  # the exact path's matrix reloads after a write

        if vector_backend == "pgvector":
            async with svc.ctx.pool.acquire() as conn:
                cap = searcher.capability
                assert await conn.fetchval(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_embedding_hnsw_64'"
                )
                await conn.execute(
                    "SET enable_seqscan = off"
                )  # tiny table: prove the index *can* serve the query
                vector = "[" + ",".join(["0.125"] * 64) + "]"
                plan = "\n".join(
                    r[0]
                    for r in await conn.fetch(
                        f"EXPLAIN SELECT id FROM chunks WHERE embedding_dim = 64 AND embedding_model = 'openai:fake-bow' "
                        f"ORDER BY (embedding::{cap.vector_type(64)}) {cap.cosine_operator} '{vector}'::{cap.vector_type(64)} "
                        f"LIMIT 5"
                    )
                )
                assert "chunks_embedding_hnsw_64" in plan, plan
        else:
            assert np.asarray(searcher._exact.matrix).shape == (2, 64)
