"""Retrieval quality of rag-svc on a labelled set: recall@1, recall@3 and MRR at document level.

    .venv/bin/python bench/rag/score.py [--queries FILE] [--docs DIR] [--backend auto|exact|pgvector]

The corpus directory is ingested through RAG_DOCS_DIR exactly as in production; every query goes
through POST /v1/search. A query counts as found at rank r when its expected runbook is the r-th
distinct document among the returned chunks (k=10 chunks). Misses are printed for inspection.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from em_shared.testing.servers import TestServers
from harness import CORPUS, document_ranking, labelled_queries, rag_instance


async def score(queries_file: Path, docs_dir: Path, backend: str) -> dict[str, float]:
    servers = TestServers.start()
    try:
        started = time.perf_counter()
        async with rag_instance(servers, docs_dir=str(docs_dir), vector_backend=backend) as svc:
            ingest_s = time.perf_counter() - started
            queries = labelled_queries(queries_file)
            ranks: list[int | None] = []
            async with svc.client() as http:
                status = (await http.get("/v1/index")).json()
                for item in queries:
                    response = await http.post("/v1/search", json={"query": item["query"], "k": 10})
                    response.raise_for_status()
                    docs = document_ranking(response.json()["results"])
                    expected = f"file:{item['expected']}"
                    rank = docs.index(expected) + 1 if expected in docs else None
                    ranks.append(rank)
                    if rank != 1:
                        print(
                            f"  rank {rank}: {item['query'][:90]!r} -> want {item['expected']}, got {docs[:3]}"
                        )
        n = len(ranks)
        figures = {
            "queries": n,
            "recall@1": sum(r == 1 for r in ranks) / n,
            "recall@3": sum(r is not None and r <= 3 for r in ranks) / n,
            "mrr": sum(1 / r for r in ranks if r) / n,
            "ingest_s": ingest_s,
        }
        print(
            f"backend={status['vector_backend']} model={status['embedding_model']} "
            f"documents={status['documents']} chunks={status['chunks']} (startup incl. ingest {ingest_s:.1f}s)"
        )
        print(
            f"queries={n} recall@1={figures['recall@1']:.3f} recall@3={figures['recall@3']:.3f} "
            f"MRR={figures['mrr']:.3f}"
        )
        return figures
    finally:
        servers.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=Path, default=CORPUS / "queries.jsonl")
    parser.add_argument("--docs", type=Path, default=CORPUS / "runbooks")
    parser.add_argument("--backend", default="auto", choices=["auto", "exact", "pgvector"])
    args = parser.parse_args()
    asyncio.run(score(args.queries, args.docs, args.backend))


if __name__ == "__main__":
    main()
