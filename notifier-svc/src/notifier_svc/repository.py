"""The only SQL of notifier-svc: the delivery log (idempotency, dead letters) and incident messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class Delivery:
    event_id: str
    kind: str
    subject: str
    queue_key: str
    incident_id: str | None
    payload: str
    status: str
    attempts: int
    channel: str | None
    ts: str | None
    last_error: str | None
    failed_method: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class IncidentMessage:
    incident_id: str
    channel: str
    ts: str
    last_sequence: int


_DELIVERY_COLUMNS = (
    "event_id, kind, subject, queue_key, incident_id, payload, status, attempts, channel, ts, "
    "last_error, failed_method, created_at, finished_at"
)


class NotifierRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record_delivery(
        self, event_id: str, kind: str, subject: str, queue_key: str, incident_id: str | None, payload: str
    ) -> bool:
        """Insert a pending delivery; False when this event id was seen before (a redelivery)."""
        row = await self._pool.fetchval(
            """INSERT INTO deliveries (event_id, kind, subject, queue_key, incident_id, payload)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
            event_id,
            kind,
            subject,
            queue_key,
            incident_id,
            payload,
        )
        return row is not None

    async def claim(self, event_id: str, lease_s: float) -> Delivery | None:
        """Take a pending delivery for `lease_s`; None if it is done or another worker holds it."""
        row = await self._pool.fetchrow(
            f"""UPDATE deliveries SET claimed_until = now() + make_interval(secs => $2),
                attempts = attempts + 1 WHERE event_id = $1 AND status = 'pending'
                AND (claimed_until IS NULL OR claimed_until < now())
                RETURNING {_DELIVERY_COLUMNS}""",
            event_id,
            lease_s,
        )
        return Delivery(**dict(row)) if row else None

    async def finish(
        self, event_id: str, status: str, channel: str | None = None, ts: str | None = None
    ) -> None:
        await self._pool.execute(
            """UPDATE deliveries SET status = $2, channel = coalesce($3, channel), ts = coalesce($4, ts),
               finished_at = now(), claimed_until = NULL WHERE event_id = $1""",
            event_id,
            status,
            channel,
            ts,
        )

    async def dead_letter(self, event_id: str, method: str, error: str, channel: str | None) -> None:
        await self._pool.execute(
            """UPDATE deliveries SET status = 'dead_lettered', failed_method = $2, last_error = $3,
               channel = coalesce($4, channel), finished_at = now(), claimed_until = NULL
               WHERE event_id = $1""",
            event_id,
            method,
            error,
            channel,
        )

    async def release(self, event_id: str) -> None:
        """Give a claimed delivery back (shutdown mid-flight): it stays pending for the next start."""
        await self._pool.execute("UPDATE deliveries SET claimed_until = NULL WHERE event_id = $1", event_id)

    async def requeue(self, event_id: str) -> Delivery | None:
        """A dead-lettered delivery goes back to pending (operator replay)."""
        row = await self._pool.fetchrow(
            f"""UPDATE deliveries SET status = 'pending', claimed_until = NULL, last_error = NULL,
                failed_method = NULL, finished_at = NULL
                WHERE event_id = $1 AND status = 'dead_lettered' RETURNING {_DELIVERY_COLUMNS}""",
            event_id,
        )
        return Delivery(**dict(row)) if row else None

    async def pending(self) -> list[tuple[str, str]]:
        rows = await self._pool.fetch(
            "SELECT event_id, queue_key FROM deliveries WHERE status = 'pending' ORDER BY created_at"
        )
        return [(r["event_id"], r["queue_key"]) for r in rows]

    async def get_delivery(self, event_id: str) -> Delivery | None:
        row = await self._pool.fetchrow(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE event_id = $1", event_id
        )
        return Delivery(**dict(row)) if row else None

    async def list_deliveries(self, status: str | None, limit: int) -> list[Delivery]:
        rows = await self._pool.fetch(
            f"""SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE ($1::text IS NULL OR status = $1)
                ORDER BY created_at DESC LIMIT $2""",
            status,
            limit,
        )
        return [Delivery(**dict(r)) for r in rows]

    async def message_for(self, incident_id: str) -> IncidentMessage | None:
        row = await self._pool.fetchrow(
            "SELECT incident_id, channel, ts, last_sequence FROM incident_messages WHERE incident_id = $1",
            incident_id,
        )
        return IncidentMessage(**dict(row)) if row else None

    async def save_message(self, incident_id: str, channel: str, ts: str, sequence: int) -> None:
        await self._pool.execute(
            """INSERT INTO incident_messages (incident_id, channel, ts, last_sequence) VALUES ($1, $2, $3, $4)
               ON CONFLICT (incident_id) DO UPDATE SET updated_at = now(),
               last_sequence = greatest(incident_messages.last_sequence, excluded.last_sequence)""",
            incident_id,
            channel,
            ts,
            sequence,
        )

    async def advance_message(self, incident_id: str, sequence: int) -> None:
        await self._pool.execute(
            """UPDATE incident_messages SET last_sequence = greatest(last_sequence, $2), updated_at = now()
               WHERE incident_id = $1""",
            incident_id,
            sequence,
        )
