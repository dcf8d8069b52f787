"""Embeddings from any OpenAI-compatible `/v1/embeddings` API (OpenAI, Azure, vLLM, Ollama, TEI...)."""

from __future__ import annotations

import numpy as np
from em_shared.messaging.errors import Unavailable
from openai import APIError, AsyncOpenAI

from rag_svc.embeddings.base import normalize_rows


class OpenAIEmbedder:
    def __init__(
        self,
        model: str,
        base_url: str | None,
        api_key: str,
        dimensions: int | None = None,
        batch_size: int = 64,
        timeout_s: float = 30.0,
    ) -> None:
        self._client = AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=2)
        self._model = model
        self._dimensions = dimensions
        self._batch_size = max(1, batch_size)
        self._known_dimension: int | None = dimensions
        self.model_id = f"openai:{model}" + (f"@{dimensions}" if dimensions else "")

    async def dimension(self) -> int:
        if self._known_dimension is None:
            self._known_dimension = int((await self.embed(["dimension probe"])).shape[1])
        return self._known_dimension

    async def embed(self, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            kwargs = {"dimensions": self._dimensions} if self._dimensions else {}
            try:
                response = await self._client.embeddings.create(model=self._model, input=batch, **kwargs)
            except APIError as exc:
                raise Unavailable(f"embeddings API failed: {exc}") from exc
            # The API may answer out of order; `index` says which input each vector belongs to.
            ordered = sorted(response.data, key=lambda d: d.index)
            if len(ordered) != len(batch):
                raise Unavailable(f"embeddings API returned {len(ordered)} vectors for {len(batch)} inputs")
            rows.extend(d.embedding for d in ordered)
        if not rows:
            return np.zeros((0, self._known_dimension or 0), dtype=np.float32)
        matrix = normalize_rows(np.asarray(rows, dtype=np.float32))
        self._known_dimension = matrix.shape[1]
        return matrix
