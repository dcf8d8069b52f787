"""Resolved and closed incidents from incident-svc's events become searchable `incident` documents."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from em_shared.contracts.subjects import S
from em_shared.testing.live import live_service
from rag_svc.app import create_service


def event(
    change: str, sequence: int, incident_id: str = "inc-7", title: str = "Checkout latency spike"
) -> IncidentChanged:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    return IncidentChanged(
        id=deterministic_id("incident", incident_id, sequence),
        occurred_at=now,
        source="incident",
        change=change,
        sequence=sequence,
        incident=IncidentSnapshot(
            id=incident_id,
            number=7,
            title=title,
            state=change,
            severity="high",
            service="checkout",
            team="payments",
            opened_at=now,
            summary="Connection pool exhausted after scaling to 60 pods",
        ),
        details={"timeline": [{"text": "Added PgBouncer in transaction mode"}]},
    )


async def search(http, query: str, **filters):
    r = await http.post("/v1/search", json={"query": query, "k": 5, "filters": filters})
    return r.json()["results"]


async def test_resolved_incidents_are_indexed_and_others_ignored(rag_settings, ready) -> None:
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        publisher = svc.ctx.publisher
        await publisher.publish(S.incident("opened"), event("opened", 1, "inc-open", "Opened only"))
        await publisher.publish(S.incident("resolved"), event("resolved", 3))
        async with svc.client() as http:
            for _ in range(100):
                hits = await search(http, "pgbouncer connection pool", kind="incident")
                if hits:
                    break
                await asyncio.sleep(0.1)
            assert hits, "resolved incident never became searchable"
            assert hits[0]["document_id"] == "incident:inc-7"
            assert hits[0]["title"] == "Incident #7: Checkout latency spike"
            assert "PgBouncer" in " ".join(h["text"] for h in hits)
            await publisher.publish(S.incident("closed"), event("closed", 4))
            await asyncio.sleep(1.0)
            meta = (await http.get("/v1/documents/incident:inc-7")).json()
            assert (meta["kind"], meta["service"], meta["team"], meta["source"]) == (
                "incident",
                "checkout",
                "payments",
                "incident",
            )
            assert (await http.get("/v1/documents/incident:inc-open")).status_code == 404
            assert await search(http, "opened only", kind="incident") == [] or all(
                h["document_id"] != "incident:inc-open" for h in await search(http, "opened only")
            )
