"""The `Embedder` interface: texts in, unit-length float32 vectors out, with a model id to record."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    # Recorded with every chunk: a different id means the stored vector is stale and is re-embedded.
    model_id: str

    async def dimension(self) -> int: ...

    async def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row L2-normalised."""
        ...


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)
