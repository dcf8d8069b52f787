"""rag-svc performance: embedding throughput, corpus ingest, search p95 at 10,000 chunks, service RSS.

    .venv/bin/python bench/rag/bench.py [--chunks 10000] [--searches 200]

Servers: NATS_URL / DATABASE_URL when set (this machine's PostgreSQL 15 has no pgvector: the exact
path only), else embedded ones (PostgreSQL 16 + pgvector: both paths).

1. Embedding throughput: the bundled MiniLM over real corpus chunks (batch 32), wall and CPU time.
2. Ingest: the runbook corpus through RAG_DOCS_DIR, start to /ready (chunking, embedding, SQL).
3. Search p95: the index is grown to --chunks with synthetic chunks (sentences resampled from the
   corpus; vectors = real chunk vectors plus noise, renormalised: embedding 10,000 chunks on 2 shared
   cores would take longer than the bench budget and search cost does not depend on where vectors
   came from). Labelled queries go through POST /v1/search, end to end (query embedding included),
   on every vector path this server offers, with the query-vector cache off (every search embeds
   its query: the headline figure), then once more with the cache on (repeated alerts).
4. RSS: a separate `python -m rag_svc` process on the same index, after it answered searches.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from em_shared.devenv.processes import free_port
from em_shared.testing.servers import TestServers
from harness import CORPUS, labelled_queries, rag_instance
from rag_svc.domain.chunking import chunk_markdown
from rag_svc.domain.documents import Document, document_from_file, embedding_input, text_hash
from rag_svc.domain.query import expand_query
from rag_svc.domain.vector_cache import VectorCache
from rag_svc.embeddings.local import LocalEmbedder
from rag_svc.repository import documents as repo


def corpus_chunks() -> list[str]:
    out = []
    for path in sorted((CORPUS / "runbooks").glob("*.md")):
        doc = document_from_file(path.stem, path.read_text(), path.stem, None)
        out += [embedding_input(doc.title, c.heading_path, c.text) for c in chunk_markdown(doc.text)]
    return out


def blas_description() -> str:
    """Which OpenBLAS kernels NumPy runs (OPENBLAS_CORETYPE overrides OpenBLAS's CPU detection)."""
    import ctypes
    import glob

    import numpy as np

    core = "unknown"
    for lib in glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*")):
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(ctypes.CDLL(lib), symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                core = fn().decode()
    return (
        f"OpenBLAS kernels {core} (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}), "
        f"{os.environ.get('OPENBLAS_NUM_THREADS')} thread"
    )


async def embedding_throughput(embedder: LocalEmbedder, texts: list[str]) -> dict[str, float]:
    sample = texts[:64]
    tokens = sum(embedder._model.count_tokens(t) for t in sample)
    wall, cpu = time.perf_counter(), time.process_time()
    await embedder.embed(sample)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "chunks": len(sample),
        "tokens": tokens,
        "wall_s": wall,
        "cpu_s": cpu,
        "chunks_per_s": len(sample) / wall,
        "chunks_per_cpu_s": len(sample) / cpu,
    }


async def grow_index(pool, model: str, total: int, seed: int = 7) -> int:
    """Synthetic documents of 100 chunks each until the index holds `total` chunks."""
    import numpy as np  # after rag_svc's import pinned single-threaded BLAS

    rng = random.Random(seed)
    async with pool.acquire() as conn:
        have = (await repo.counts(conn))["chunks"]
        real = await conn.fetch("SELECT embedding FROM chunks")
    base = np.asarray([r["embedding"] for r in real], dtype=np.float32)
    sentences = [
        s
        for p in (CORPUS / "runbooks").glob("*.md")
        for s in re.split(r"(?<=[.!?])\s+", p.read_text())
        if 6 < len(s.split()) < 40
    ]
    noise = np.random.default_rng(seed)
    doc_no = 0
    while have < total:
        n = min(100, total - have)
        vectors = base[noise.integers(0, len(base), n)] + noise.normal(0, 0.04, (n, base.shape[1])).astype(
            np.float32
        )
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = []
        for i in range(n):
            text = " ".join(rng.sample(sentences, 5))
            rows.append(
                repo.ChunkRow(
                    i, ("Synthetic", f"Section {i % 7}"), text, text_hash(text), vectors[i].tolist()
                )
            )
        doc = Document(
            id=f"synthetic-{doc_no}",
            text="(synthetic)",
            title=f"Synthetic {doc_no}",
            kind="doc",
            service=f"svc-{doc_no % 12}",
            team=f"team-{doc_no % 5}",
            tags=("synthetic",),
            source="api",
        )
        async with pool.acquire() as conn:
            await repo.replace_document(conn, doc, "synthetic", model, rows)
        have += n
        doc_no += 1
    async with pool.acquire() as conn:
        await repo.analyze(conn)  # as a directory sync does after writing
    return have


async def search_latencies(url: str, queries: list[str], n: int) -> list[float]:
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for i in range(5):  # warm-up: connections, the exact path's matrix, plan cache
            await http.post("/v1/search", json={"query": queries[i], "k": 5})
        for i in range(n):
            started = time.perf_counter()
            r = await http.post("/v1/search", json={"query": queries[i % len(queries)], "k": 5})
            out.append((time.perf_counter() - started) * 1000)
            r.raise_for_status()
    return out


async def concurrent_latencies(
    url: str, queries: list[str], clients: int, n: int
) -> tuple[list[float], float]:
    """`clients` searching at once (an alert storm): latencies, and searches per second overall."""
    out: list[float] = []

    async def client(c: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for i in range(c, n, clients):
                started = time.perf_counter()
                r = await http.post("/v1/search", json={"query": queries[i % len(queries)], "k": 5})
                out.append((time.perf_counter() - started) * 1000)
                r.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in range(clients)))
    return out, n / (time.perf_counter() - started)


class PrecomputedEmbedder:
    """Answers from vectors embedded beforehand: isolates retrieval cost from the model's."""

    def __init__(self, inner: LocalEmbedder, vectors: dict[str, object]) -> None:
        self.model_id = inner.model_id
        self._inner = inner
        self._vectors = vectors

    async def dimension(self) -> int:
        return await self._inner.dimension()

    async def embed(self, texts: list[str]):
        import numpy as np

        return np.stack([self._vectors[t] for t in texts])


async def retrieval_latencies(searcher, queries: list[str], n: int) -> list[float]:
    from em_shared.contracts.knowledge import SearchQuery

    out = []
    for i in range(n):
        started = time.perf_counter()
        await searcher.search(SearchQuery(query=queries[i % len(queries)], k=5))
        out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), p))


async def service_rss(servers: TestServers, namespace: str, backend: str, queries: list[str]) -> float:
    port = free_port()
    env = {
        **os.environ,
        "NATS_URL": servers.nats_url,
        "DATABASE_URL": servers.database_url,
        "EM_NAMESPACE": namespace,
        "RAG_PORT": str(port),
        "RAG_VECTOR_BACKEND": backend,
        "LOG_LEVEL": "warning",
        "RAG_DOCS_DIR": "",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag_svc"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(600):
                try:
                    if (await http.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            for q in queries[:50]:
                (await http.post("/v1/search", json={"query": q, "k": 5})).raise_for_status()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def main(total: int, searches: int) -> None:
    embedder = LocalEmbedder(batch_size=32)
    texts = corpus_chunks()
    emb = await embedding_throughput(embedder, texts)
    print(blas_description())
    print(
        f"embedding: {emb['chunks']} chunks ({emb['tokens']} tokens) in {emb['wall_s']:.1f}s wall / "
        f"{emb['cpu_s']:.1f}s CPU -> {emb['chunks_per_s']:.1f} chunks/s wall, "
        f"{emb['chunks_per_cpu_s']:.1f} chunks per CPU-second; load average {os.getloadavg()[0]:.1f}"
    )
    queries = [q["query"] for q in labelled_queries()]
    servers = TestServers.start()
    try:
        started = time.perf_counter()
        # Headline figures embed every query: the query-vector cache is off until the last run.
        async with rag_instance(
            servers, embedder, docs_dir=str(CORPUS / "runbooks"), query_cache_size=0
        ) as svc:
            ingest_s = time.perf_counter() - started
            pool = svc.ctx.pool
            async with pool.acquire() as conn:
                corpus_size = await repo.counts(conn)
            print(
                f"ingest: {corpus_size['documents']} runbooks, {corpus_size['chunks']} chunks in {ingest_s:.1f}s "
                f"(service start to ready)"
            )
            grown = await grow_index(pool, embedder.model_id, total)
            print(f"index grown to {grown} chunks")
            backends = ["exact"]
            if svc.ctx.state["searcher"].capability.backend == "pgvector":
                backends.insert(0, "pgvector")
            else:
                print("pgvector: not installed on this server; only the exact path is measured")
            # What a search embeds: the shaped query plus identifiers and shorthand spelled out (domain/query.py).
            expanded = [expand_query(q) for q in queries]
            embed_ms = []
            for q in expanded:
                t = time.perf_counter()
                await embedder.embed([q])
                embed_ms.append((time.perf_counter() - t) * 1000)
            tokens = statistics.mean(embedder._model.count_tokens(q) for q in expanded)
            print(
                f"query embedding alone ({len(expanded)} queries as searched, {tokens:.0f} tokens on average): "
                f"p50 {statistics.median(embed_ms):.1f} ms, p95 {pct(embed_ms, 95):.1f} ms"
            )
            namespace = svc.ctx.settings.namespace
            precomputed = dict(zip(expanded, await embedder.embed(expanded), strict=True))
            for backend in backends:
                svc.ctx.state["searcher"].capability = (
                    svc.ctx.state["searcher"].capability
                    if backend == "pgvector"
                    else type(svc.ctx.state["searcher"].capability)("exact")
                )
                lat = await search_latencies(svc.url, queries, searches)
                print(
                    f"search [{backend}] {grown} chunks, {searches} queries over HTTP: p50 {pct(lat, 50):.1f} ms, "
                    f"p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms (load average {os.getloadavg()[0]:.1f})"
                )
                searcher = svc.ctx.state["searcher"]
                real_embedder = searcher._embedder
                searcher._embedder = PrecomputedEmbedder(real_embedder, precomputed)
                try:
                    lat = await retrieval_latencies(searcher, queries, searches)
                finally:
                    searcher._embedder = real_embedder
                print(
                    f"  retrieval only [{backend}] (query vector precomputed, in process): "
                    f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms"
                )
            lat, rate = await concurrent_latencies(svc.url, queries, 4, len(queries))
            print(
                f"search [{backends[-1]}] 4 clients at once, {len(queries)} distinct queries: "
                f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, {rate:.0f} searches/s"
            )
            searcher = svc.ctx.state["searcher"]
            searcher.query_vectors = VectorCache(1024)  # RAG_QUERY_CACHE_SIZE's default
            lat = await search_latencies(svc.url, queries, searches)
            print(
                f"search [{backends[-1]}] with the query-vector cache on ({len(queries)} distinct queries "
                f"repeated): p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms "
                f"({searcher.query_vectors.hits} hits, {searcher.query_vectors.misses} misses)"
            )
            rss = await service_rss(servers, namespace, backends[0], queries)
            print(
                f"RSS of `python -m rag_svc` ({backends[0]}, model loaded, after 50 searches): {rss:.0f} MB"
            )
    finally:
        servers.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.chunks, args.searches))
