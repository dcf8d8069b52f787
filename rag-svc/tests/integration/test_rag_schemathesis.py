"""Schemathesis over rag-svc's OpenAPI against the live service, with the real bundled model (the
default provider), so generated text (any Unicode, NUL, control characters) goes through the
tokenizer, the chunker and PostgreSQL: requests valid and not never get a 5xx."""

from __future__ import annotations

from em_shared.testing.live import live_service
from em_shared.testing.openapi_fuzz import run_schemathesis
from rag_svc.app import create_service

METHODS = {"get", "put", "post", "patch", "delete"}


async def test_openapi_fuzzing_finds_no_server_error(rag_settings, local_embedder, ready, tmp_path) -> None:
    docs = tmp_path / "docs"  # a real directory, so POST /v1/reindex syncs instead of answering 400
    docs.mkdir()
    (docs / "disk.md").write_text("# Disk full\n\nRotate the logs, then grow the volume.")
    settings = rag_settings(embeddings_provider="local", docs_dir=str(docs))
    async with live_service(create_service(settings, embedder=local_embedder), settings) as svc:
        await ready(svc)
        async with svc.client() as http:  # a document under a short id, so generated ids hit a row too
            r = await http.put("/v1/documents/0", json={"text": "# Redis\n\nmemory full", "kind": "runbook"})
            assert r.status_code == 200, r.text
            paths = (await http.get("/schema/openapi.json")).json()["paths"]
        assert {"/v1/search", "/v1/documents/{doc_id}", "/v1/reindex", "/v1/index"} <= set(paths)
        operations = sum(len(METHODS & set(item)) for item in paths.values())
        code, text = await run_schemathesis(svc.url, tmp_path, 25)
        assert code == 0, text[-4000:]
        assert f"Tested: {operations}\n" in text, text[-2000:]
