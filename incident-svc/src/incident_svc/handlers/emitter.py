"""Lifecycle events: recorded in the change's transaction (outbox), published after commit.

An event's id is `deterministic_id("incident", incident id, sequence)`, so a republished outbox row
or a replay produces the same `Nats-Msg-Id` and JetStream keeps one copy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec
import structlog
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.subjects import S
from em_shared.messaging.publisher import EventPublisher

from incident_svc.repository import incidents, outbox
from incident_svc.snapshots import incident_snapshot

log = structlog.get_logger("incident.emitter")
_encoder = msgspec.json.Encoder()
MAX_IN_FLIGHT = 64  # publishes awaiting their JetStream ack at once


@dataclass
class Pending:
    """Events recorded by one transaction, to publish once it committed.

    `deferred`: the outbox rows are written together by `Emitter.persist` just before the commit
    (one statement for a whole chunk) instead of one by one; the caller must call it.
    """

    events: list[tuple[str, IncidentChanged]] = field(default_factory=list)
    deferred: bool = False


class Emitter:
    def __init__(self, publisher: EventPublisher, pool: asyncpg.Pool, base_url: str) -> None:
        self._publisher = publisher
        self._pool = pool
        self._base_url = base_url
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def record(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        incident_id: str,
        change: str,
        *,
        actor: str | None = None,
        via: str | None = None,
        previous_state: str | None = None,
        details: dict[str, Any] | None = None,
        correlation_id: str | None = None,
    ) -> IncidentChanged:
        row = await incidents.next_sequence(conn, incident_id)
        deployment_ids = list(row["linked_ids"])
        sequence = row["sequence"]
        event = IncidentChanged(
            id=deterministic_id("incident", row["id"], sequence),
            occurred_at=utcnow(),
            source="incident",
            correlation_id=correlation_id,
            change=change,
            incident=incident_snapshot(row, deployment_ids, self._base_url),
            sequence=sequence,
            actor=actor,
            via=via,
            previous_state=previous_state,
            details=details or {},
        )
        subject = S.incident(change)
        if not pending.deferred:
            await outbox.add(conn, event.id, subject, _encoder.encode(event))
        pending.events.append((subject, event))
        return event

    async def persist(self, conn: asyncpg.Connection, pending: Pending) -> None:
        """Write a deferred Pending's outbox rows, in the transaction, before it commits."""
        if pending.deferred and pending.events:
            await outbox.add_many(
                conn, [(event.id, subject, _encoder.encode(event)) for subject, event in pending.events]
            )

    async def flush(self, pending: Pending) -> None:
        """Publish after commit; a failure leaves the rows for the relay (same ids, deduplicated)."""
        if not pending.events:
            return
        published = await self.publish_all(pending.events)
        if published:
            await outbox.delete(self._pool, published)
        pending.events.clear()

    async def publish_all(self, events: list[tuple[str, IncidentChanged]]) -> list[str]:
        """Publish concurrently (acks in flight together), but one incident's events in sequence
        order, so consumers see `opened` before `resolved`. Returns the ids JetStream acked."""
        by_incident: dict[str, list[tuple[str, IncidentChanged]]] = {}
        for subject, event in events:
            by_incident.setdefault(event.incident.id, []).append((subject, event))
        published: list[str] = []

        async def one_incident(chain: list[tuple[str, IncidentChanged]]) -> None:
            for subject, event in chain:
                async with self._in_flight:
                    await self._publisher.publish(subject, event)
                published.append(event.id)

        results = await asyncio.gather(
            *(one_incident(chain) for chain in by_incident.values()), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            log.warning("lifecycle publish failed; the relay will retry", error=repr(failures[0]))
        return published
