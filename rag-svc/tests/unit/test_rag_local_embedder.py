"""LocalEmbedder: concurrent queries share one forward pass and get their own vectors back."""

from __future__ import annotations

import asyncio

import numpy as np
from rag_svc.embeddings.local import LocalEmbedder
from rag_svc.embeddings.minilm import MiniLM

QUERIES = [
    "KubePodCrashLooping pod=checkout-7f9c restarts=12",
    "disk usage above 95% on /var/lib/postgresql",
    "x509: certificate has expired or is not yet valid",
    "OOMKilled",
    "p99 latency of api-gateway above 2s for 10 minutes",
]


async def test_queries_waiting_for_the_model_share_one_pass(minilm: MiniLM) -> None:
    embedder = LocalEmbedder(model=minilm)
    expected = np.stack([minilm.encode([q])[0] for q in QUERIES])
    embedder._lock.acquire()  # a forward pass is running: every query below has to wait
    try:
        tasks = [asyncio.create_task(embedder.embed([q])) for q in QUERIES]
        while len(embedder._waiting) < len(QUERIES):
            await asyncio.sleep(0.01)
    finally:
        embedder._lock.release()
    vectors = await asyncio.gather(*tasks)
    assert all(v.shape == (1, 384) for v in vectors)
    assert np.abs(np.concatenate(vectors) - expected).max() < 1e-5
    assert embedder._waiting == []


async def test_bulk_embedding_matches_single_texts(minilm: MiniLM) -> None:
    embedder = LocalEmbedder(batch_size=2, model=minilm)
    vectors = await embedder.embed(QUERIES)
    expected = np.stack([minilm.encode([q])[0] for q in QUERIES])
    assert vectors.shape == (5, 384) and np.abs(vectors - expected).max() < 1e-5
