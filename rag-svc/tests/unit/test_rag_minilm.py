"""The NumPy all-MiniLM-L6-v2: published reference values, padding and truncation, semantic ranking."""

from __future__ import annotations

import numpy as np
import pytest
from rag_svc.embeddings.minilm import MAX_TOKENS, MiniLM

SENTENCES = ["This is an example sentence", "Each sentence is converted"]
# transformers.js README for Xenova/all-MiniLM-L6-v2 (pooling mean, normalize): the first three values
# of both vectors. They come from its ONNX export (8-bit quantized by default in transformers.js),
# so they agree with the float32 model to about 0.02, not exactly.
PUBLISHED_QUANTIZED = [
    [0.04592696577310562, 0.07328180968761444, 0.05400655046105385],
    [0.08188057690858841, 0.10760223120450974, -0.013241755776107311],
]
# Our float32 output for the same sentences, pinned as a regression guard for the forward pass.
OURS_FLOAT32 = [[0.0676569, 0.0634959, 0.0487131], [0.0864386, 0.1027627, 0.0053946]]


def test_matches_published_reference_within_quantization_error(minilm: MiniLM) -> None:
    vectors = minilm.encode(SENTENCES)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.abs(vectors[:, :3] - np.array(PUBLISHED_QUANTIZED)).max() < 0.025
    assert np.abs(vectors[:, :3] - np.array(OURS_FLOAT32)).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_vectors(minilm: MiniLM) -> None:
    texts = [
        "short",
        "a considerably longer sentence about database connection pools running out",
        "mid length",
    ]
    together = minilm.encode(texts, batch_size=3)
    alone = np.stack([minilm.encode([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_inputs_are_truncated_at_256_tokens(minilm: MiniLM) -> None:
    long = " ".join(f"word{i}" for i in range(400))
    longer = long + " completely different ending about kittens and rainbows"
    assert minilm.count_tokens(long) == MAX_TOKENS
    a, b = minilm.encode([long, longer])
    assert float(a @ b) == pytest.approx(1.0, abs=1e-5)


def test_paraphrases_rank_above_unrelated_text(minilm: MiniLM) -> None:
    query, paraphrase, related, unrelated = minilm.encode(
        [
            "the database refuses new connections because too many clients are connected",
            "PostgreSQL: sorry, too many clients already; the connection pool is exhausted",
            "the disk of the database server is full",
            "how to bake sourdough bread at home",
        ]
    )
    assert float(query @ paraphrase) > float(query @ related) > float(query @ unrelated)
    assert float(query @ paraphrase) > 0.5 > float(query @ unrelated)
