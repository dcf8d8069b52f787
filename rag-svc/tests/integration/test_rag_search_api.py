"""POST /v1/search and rpc.rag.search: the same contract, filters, and clear errors for bad queries."""

from __future__ import annotations

import msgspec
import pytest
from em_shared.contracts.knowledge import SearchFilters, SearchQuery, SearchResults
from em_shared.messaging.errors import RpcFailure
from em_shared.testing.live import live_service
from rag_svc.app import create_service

DOCS = {
    "rb-redis": {
        "text": "# Redis memory\n\nRedis evicts keys when maxmemory is reached.",
        "kind": "runbook",
        "service": "cache",
        "team": "identity",
        "tags": ["redis", "memory"],
    },
    "rb-jvm": {
        "text": "# JVM memory\n\nThe JVM heap is full and garbage collection thrashes.",
        "kind": "runbook",
        "service": "checkout",
        "team": "payments",
        "tags": ["java", "memory"],
    },
    "pm-jvm": {
        "text": "# Postmortem\n\nCheckout heap memory exhausted during the sale.",
        "kind": "postmortem",
        "service": "checkout",
        "team": "payments",
        "tags": ["java"],
    },
}


@pytest.fixture
async def svc(rag_settings, ready):
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            for doc_id, body in DOCS.items():
                assert (await http.put(f"/v1/documents/{doc_id}", json=body)).status_code == 200
        yield svc


async def test_filters_narrow_results(svc) -> None:
    async with svc.client() as http:

        async def ids(**filters):
            r = await http.post("/v1/search", json={"query": "memory full", "k": 10, "filters": filters})
            assert r.status_code == 200, r.text
            return {h["document_id"] for h in r.json()["results"]}

        assert await ids() == {"rb-redis", "rb-jvm", "pm-jvm"}
        assert await ids(service="checkout") == {"rb-jvm", "pm-jvm"}
        assert await ids(team="identity") == {"rb-redis"}
        assert await ids(kind="postmortem") == {"pm-jvm"}
        assert await ids(tags=["memory"]) == {"rb-redis", "rb-jvm"}
        assert await ids(tags=["JAVA", "memory"]) == {"rb-jvm"}  # every tag, case-insensitive
        assert await ids(service="checkout", kind="runbook") == {"rb-jvm"}
        assert await ids(service="nope") == set()


async def test_rpc_and_http_answer_the_same(svc) -> None:
    query = SearchQuery(query="heap garbage collection", k=3, filters=SearchFilters(service="checkout"))
    via_rpc = await svc.ctx.rpc.call("rpc.rag.search", query, SearchResults)
    async with svc.client() as http:
        via_http = (
            await http.post(
                "/v1/search", content=msgspec.json.encode(query), headers={"content-type": "application/json"}
            )
        ).json()
    assert msgspec.to_builtins(via_rpc) == via_http
    assert via_rpc.results[0].document_id == "rb-jvm"
    assert {h.document_id for h in via_rpc.results} <= {"rb-jvm", "pm-jvm"}


BAD_QUERIES = [
    ({"query": ""}, "query"),
    ({"query": "   "}, "query is empty"),
    ({"query": "x" * 2001}, "query"),
    ({}, "query"),
    ({"query": "disk", "k": 0}, "k"),
    ({"query": "disk", "k": 51}, "k"),
    ({"query": "disk", "filters": {"region": "eu"}}, "region"),
    ({"query": "disk", "filters": {"tags": "redis"}}, "tags"),
    ({"query": "disk", "limit": 3}, "limit"),
]


async def test_bad_queries_are_400_over_http_and_invalid_over_rpc(svc) -> None:
    async with svc.client() as http:
        for body, reason in BAD_QUERIES:
            response = await http.post("/v1/search", json=body)
            assert response.status_code == 400, (body, response.text)
            assert reason in response.text, (body, response.text)
            with pytest.raises(RpcFailure) as failure:
                await svc.ctx.rpc.call_raw("rpc.rag.search", msgspec.json.encode(body))
            assert failure.value.code == "invalid" and failure.value.status == 400, body
            assert reason in failure.value.message, (body, failure.value.message)
        malformed = await http.post(
            "/v1/search", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 400


async def test_contract_is_documented_in_openapi(svc) -> None:
    async with svc.client() as http:
        schema = (await http.get("/schema/openapi.json")).json()
    assert {"/v1/search", "/v1/documents/{doc_id}", "/v1/reindex", "/v1/index"} <= set(schema["paths"])
    search_body = schema["paths"]["/v1/search"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert search_body["$ref"].endswith("SearchQuery")
    components = schema["components"]["schemas"]
    assert {"query", "k", "filters"} <= set(components["SearchQuery"]["properties"])
    assert {"title", "text", "kind", "service", "team", "tags", "url"} <= set(
        components["DocumentUpsert"]["properties"]
    )
    assert components["DocumentUpsert"]["required"] == ["text"]
    hit = components["SearchHit"]["properties"]
    assert {"document_id", "chunk_id", "heading_path", "text", "score"} <= set(hit)
