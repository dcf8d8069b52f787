"""The OpenAI-compatible embedder against a local server speaking POST /v1/embeddings (real SDK)."""

from __future__ import annotations

import numpy as np
import pytest
from em_shared.messaging.errors import Unavailable
from rag_svc.embeddings.openai_api import OpenAIEmbedder


async def test_batches_orders_by_index_and_normalises(fake_embeddings, bag_of_words) -> None:
    embedder = OpenAIEmbedder("fake-bow", fake_embeddings.url, "test-key", batch_size=2)
    before = len(fake_embeddings.requests)
    texts = ["disk full", "certificate expired", "pool exhausted", "dns servfail", "oom killed"]
    vectors = await embedder.embed(texts)
    sent = fake_embeddings.requests[before:]
    assert [r["input"] for r in sent] == [texts[0:2], texts[2:4], texts[4:5]]
    assert all(r["model"] == "fake-bow" for r in sent)
    assert vectors.shape == (5, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    expected = np.asarray(bag_of_words("pool exhausted"))
    assert np.allclose(vectors[2], expected / np.linalg.norm(expected), atol=1e-6)  # not shuffled by reversal
    assert await embedder.dimension() == 64
    assert embedder.model_id == "openai:fake-bow"


async def test_dimensions_are_forwarded_and_part_of_the_model_id(fake_embeddings) -> None:
    embedder = OpenAIEmbedder("fake-bow", fake_embeddings.url, "test-key", dimensions=64)
    await embedder.embed(["x"])
    assert fake_embeddings.requests[-1]["dimensions"] == 64
    assert embedder.model_id == "openai:fake-bow@64"


async def test_transient_errors_are_retried_and_hard_ones_are_unavailable(fake_embeddings) -> None:
    embedder = OpenAIEmbedder("fake-bow", fake_embeddings.url, "test-key")
    fake_embeddings.fail_next = 1
    assert (await embedder.embed(["retried"])).shape == (1, 64)  # the SDK retried the 500
    bad_key = OpenAIEmbedder("fake-bow", fake_embeddings.url, "wrong-key")
    with pytest.raises(Unavailable, match="embeddings API failed"):
        await bad_key.embed(["x"])
    unreachable = OpenAIEmbedder("fake-bow", "http://127.0.0.1:9/v1", "k", timeout_s=1)
    with pytest.raises(Unavailable):
        await unreachable.embed(["x"])
