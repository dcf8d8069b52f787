"""rag-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class RagSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("RAG_PORT", "HTTP port of rag-svc.")] = 8005
    docs_dir: Annotated[
        str,
        env(
            "RAG_DOCS_DIR",
            "Directory (or git checkout) of Markdown/text/HTML knowledge, indexed at startup "
            "and on POST /v1/reindex; empty: none.",
        ),
    ] = ""
    docs_base_url: Annotated[
        str,
        env(
            "RAG_DOCS_BASE_URL",
            "URL prefix for documents of RAG_DOCS_DIR (e.g. the repo's blob URL); "
            "a file's relative path is appended.",
        ),
    ] = ""
    embeddings_provider: Annotated[
        str,
        env(
            "RAG_EMBEDDINGS_PROVIDER",
            "local (bundled all-MiniLM-L6-v2, offline, NumPy) or openai "
            "(any OpenAI-compatible /v1/embeddings API).",
        ),
    ] = "local"
    embeddings_model: Annotated[
        str, env("RAG_EMBEDDINGS_MODEL", "Model name sent to the OpenAI-compatible API (provider openai).")
    ] = "text-embedding-3-small"
    embeddings_base_url: Annotated[
        str,
        env(
            "RAG_EMBEDDINGS_BASE_URL",
            "Base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1.",
        ),
    ] = ""
    embeddings_api_key: Annotated[
        str, env("RAG_EMBEDDINGS_API_KEY", "API key of the OpenAI-compatible embeddings API.")
    ] = ""
    embeddings_dimensions: Annotated[
        int, env("RAG_EMBEDDINGS_DIMENSIONS", "Vector size requested from the API (0: the model's default).")
    ] = 0
    embeddings_batch_size: Annotated[
        int, env("RAG_EMBEDDINGS_BATCH_SIZE", "Chunks embedded per batch (local forward pass or API call).")
    ] = 32
    vector_backend: Annotated[
        str,
        env(
            "RAG_VECTOR_BACKEND",
            "auto (pgvector HNSW when the extension exists, else exact), pgvector "
            "(fail without it) or exact (float4[] + exact cosine in NumPy).",
        ),
    ] = "auto"
    query_cache_size: Annotated[
        int,
        env(
            "RAG_QUERY_CACHE_SIZE",
            "Query embeddings kept in memory (LRU, ~1.5 KB each at 384 dimensions): a repeated "
            "alert skips the model; 0: off.",
        ),
    ] = 1024
    chunk_max_words: Annotated[
        int, env("RAG_CHUNK_MAX_WORDS", "Upper bound of a chunk in words (the model reads 256 tokens).")
    ] = 150
    chunk_overlap_words: Annotated[
        int, env("RAG_CHUNK_OVERLAP_WORDS", "Words of the previous chunk repeated at the start of the next.")
    ] = 30
    index_incidents: Annotated[
        bool, env("RAG_INDEX_INCIDENTS", "Index resolved/closed incidents as kind 'incident' documents.")
    ] = True
