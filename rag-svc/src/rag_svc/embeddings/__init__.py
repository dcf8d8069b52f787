"""Embedders: the bundled MiniLM (offline, NumPy) or an OpenAI-compatible API, chosen by settings."""

from __future__ import annotations

from rag_svc.embeddings.base import Embedder
from rag_svc.settings import RagSettings


def create_embedder(settings: RagSettings) -> Embedder:
    if settings.embeddings_provider == "local":
        from rag_svc.embeddings.local import LocalEmbedder

        return LocalEmbedder(batch_size=settings.embeddings_batch_size)
    if settings.embeddings_provider == "openai":
        from rag_svc.embeddings.openai_api import OpenAIEmbedder

        return OpenAIEmbedder(
            model=settings.embeddings_model,
            base_url=settings.embeddings_base_url or None,
            api_key=settings.embeddings_api_key or "unset",
            dimensions=settings.embeddings_dimensions or None,
            batch_size=settings.embeddings_batch_size,
        )
    raise ValueError(
        f"RAG_EMBEDDINGS_PROVIDER: unknown provider {settings.embeddings_provider!r} "
        "(expected local or openai)"
    )


__all__ = ["Embedder", "create_embedder"]
