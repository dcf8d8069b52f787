"""`rpc.rag.search` messages: the same shapes as rag-svc's `POST /v1/search`."""

from __future__ import annotations

from typing import Annotated

import msgspec

from em_shared.contracts.base import RpcRequest


class SearchFilters(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    service: str | None = None
    team: str | None = None
    tags: list[str] = []
    kind: str | None = None


class SearchQuery(RpcRequest, frozen=True, kw_only=True):
    query: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    k: Annotated[int, msgspec.Meta(ge=1, le=50)] = 5
    filters: SearchFilters = SearchFilters()


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    document_id: str
    chunk_id: str
    heading_path: list[str]
    text: str
    score: float
    title: str | None = None
    kind: str | None = None
    url: str | None = None


class SearchResults(msgspec.Struct, frozen=True, kw_only=True):
    results: list[SearchHit]
