"""Subject -> handler wiring: `rpc.rag.search` and resolved/closed incident events."""

from __future__ import annotations

from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.knowledge import SearchQuery, SearchResults
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.rpc import serve_rpc
from em_shared.runtime.context import ServiceContext

from rag_svc.handlers.incidents import IncidentIndexing
from rag_svc.handlers.search import Searcher


def register_subscribers(ctx: ServiceContext, searcher: Searcher, incidents: IncidentIndexing | None) -> None:
    async def search(query: SearchQuery) -> SearchResults:
        return await searcher.search(query)

    serve_rpc(ctx.broker, ctx.topology, "rag", "rpc.rag.search", SearchQuery, search)
    if incidents is not None:
        for change in ("resolved", "closed"):
            subscribe_events(
                ctx.broker,
                ctx.topology,
                "rag",
                S.incident(change),
                f"rag-incidents-{change}",
                IncidentChanged,
                incidents.on_incident_changed,
            )
