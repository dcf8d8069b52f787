"""Resolved and closed incidents become `incident` documents for similar-incident search.

The timeline notes live in incident-svc; we ask `rpc.incident.get` for them with a short timeout and
index what the event carries when it does not answer: a late or missing incident-svc must never
stop the consumer (the document is rewritten, with notes, on the next lifecycle event).
"""

from __future__ import annotations

from typing import Any

import structlog
from em_shared.contracts.incidents import IncidentChanged, IncidentRef
from em_shared.messaging.errors import RpcFailure
from em_shared.messaging.rpc import RpcClient

from rag_svc.domain.incidents import INDEXED_CHANGES, timeline_notes
from rag_svc.handlers.indexing import Indexer

log = structlog.get_logger("rag.incidents")


class IncidentIndexing:
    def __init__(self, indexer: Indexer, rpc: RpcClient, timeout_s: float = 2.0) -> None:
        self._indexer = indexer
        self._rpc = rpc
        self._timeout = timeout_s

    async def on_incident_changed(self, event: IncidentChanged) -> None:
        if event.change not in INDEXED_CHANGES:
            return
        notes: list[str] = []
        try:
            detail = await self._rpc.call(
                "rpc.incident.get",
                IncidentRef(id=event.incident.id),
                Any,  # type: ignore[arg-type]
                timeout_s=self._timeout,
            )
            notes = timeline_notes(detail)
        except RpcFailure as exc:
            log.info(
                "incident timeline unavailable; indexing the event alone",
                incident_id=event.incident.id,
                error=exc.message,
            )
        await self._indexer.index_incident(event, notes)
