"""rag-svc messages: `rpc.rag.search` (the same shapes as `POST /v1/search`) and document upserts.

`SearchQuery` is strict (unknown fields, including unknown filter names, are a 400 / `invalid`
reply); `SearchHit` carries what a caller needs to cite: document, chunk, heading path, text.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from em_shared.contracts.base import RpcRequest


class SearchFilters(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """All given filters must hold; `tags`: the chunk's document carries every listed tag."""

    service: str | None = None
    team: str | None = None
    tags: list[str] = []
    kind: str | None = None  # runbook | incident | postmortem | doc


class SearchQuery(RpcRequest, frozen=True, kw_only=True):
    query: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    k: Annotated[int, msgspec.Meta(ge=1, le=50)] = 5
    # A factory, not a shared instance: OpenAPI generation hashes plain defaults, and tags is a list.
    filters: SearchFilters = msgspec.field(default_factory=SearchFilters)


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    document_id: str
    chunk_id: str
    heading_path: list[str]
    text: str
    score: float  # fused relevance in 0-1 (each ranking scaled, then averaged): higher is better, compare within one answer
    title: str | None = None
    kind: str | None = None
    url: str | None = None


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    results: list[SearchHit]


class DocumentUpsert(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`PUT /v1/documents/{id}`: only `text` is required; Markdown structure is used for chunking."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2_000_000)]
    title: str | None = None
    kind: str = "doc"
    service: str | None = None
    team: str | None = None
    tags: list[str] = []
    url: str | None = None


class DocumentIndexed(msgspec.Struct, frozen=True, kw_only=True):
    document_id: str
    status: str  # indexed | unchanged
    chunks: int
    embedded: int
