"""Retrieval quality of rag-svc on a labelled set: recall@1, recall@3 and MRR at document level.

    .venv/bin/python bench/rag/score.py [--queries FILE] [--docs DIR ...] [--backend auto|exact|pgvector]
                                        [--hide-misses]

The corpus directory is ingested through RAG_DOCS_DIR exactly as in production; every query goes
through POST /v1/search. A query counts as found at rank r when one of its expected runbooks
(`expected`: an id or a list of ids) is the r-th distinct document among the returned chunks
(k=10 chunks). Misses are printed for inspection unless --hide-misses (for a blind test half).

Several --docs directories are merged into one temporary directory (files side by side, so ids stay
their file stems): the held-out set (bench/rag/heldout) scores its own runbooks among the original ones.
    .venv/bin/python bench/rag/score.py --queries bench/rag/heldout/dev.jsonl \
        --docs rag-svc/tests/corpus/runbooks --docs bench/rag/heldout/runbooks
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from em_shared.testing.servers import TestServers
from harness import CORPUS, document_ranking, labelled_queries, rag_instance
from rag_svc.handlers.indexing import DOC_SUFFIXES


def merged_corpus(dirs: list[Path], into: Path) -> Path:
    """One directory holding every file of `dirs` (RAG_DOCS_DIR takes one); a name clash is an error."""
    if len(dirs) == 1:
        return dirs[0]
    for directory in dirs:
        for path in sorted(p for p in directory.iterdir() if p.suffix.lower() in DOC_SUFFIXES):
            if (into / path.name).exists():
                raise SystemExit(f"{path.name} is in more than one --docs directory")
            shutil.copy(path, into / path.name)
    return into


def expected_ids(item: dict) -> list[str]:
    expected = item["expected"]
    return [expected] if isinstance(expected, str) else list(expected)


async def score(
    queries_file: Path, docs_dir: Path, backend: str, show_misses: bool = True
) -> dict[str, float]:
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
                    wanted = [f"file:{doc_id}" for doc_id in expected_ids(item)]
                    found = [docs.index(w) + 1 for w in wanted if w in docs]
                    rank = min(found) if found else None
                    ranks.append(rank)
                    if rank != 1 and show_misses:
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
    parser.add_argument("--docs", type=Path, action="append")
    parser.add_argument("--backend", default="auto", choices=["auto", "exact", "pgvector"])
    parser.add_argument("--hide-misses", action="store_true", help="print only the figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rag-corpus-") as tmp:
        docs = merged_corpus(args.docs or [CORPUS / "runbooks"], Path(tmp))
        asyncio.run(score(args.queries, docs, args.backend, show_misses=not args.hide_misses))


if __name__ == "__main__":
    main()
