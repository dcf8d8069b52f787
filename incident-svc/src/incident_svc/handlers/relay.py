"""Background relay: republish outbox rows a crash left behind, and send the `updated` events that
group_interval coalescing owes."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
import structlog
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.subjects import Topology
from nats.js import JetStreamContext

from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.repository import incidents, outbox

log = structlog.get_logger("incident.relay")
_decoder = msgspec.json.Decoder(IncidentChanged)


class Relay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        emitter: Emitter,
        js: JetStreamContext,
        topology: Topology,
        interval_s: float,
        group_interval_s: float,
    ) -> None:
        self._pool = pool
        self._emitter = emitter
        self._js = js
        self._topology = topology
        self._interval = interval_s
        self._group_interval = group_interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="incident-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay tick failed", error=repr(exc))
            await asyncio.sleep(self._interval)

    async def tick(self) -> int:
        """One pass; returns how many events it published."""
        count = await self._republish(await outbox.leftovers(self._pool, older_than_s=5.0))
        pending = Pending()
        async with self._pool.acquire() as conn, conn.transaction():
            for row in await incidents.lock_owed_updates(conn, self._group_interval):
                await self._emitter.record(
                    conn, pending, row["id"], "updated", via="auto", details={"reason": "alerts changed"}
                )
                await incidents.note_update(conn, row["id"], emitted=True)
        count += len(pending.events)
        await self._emitter.flush(pending)
        return count

    async def _republish(self, rows: list[asyncpg.Record]) -> int:
        """Leftovers in one go: concurrently across incidents, in order within one, one DELETE."""
        chains: dict[str, list[asyncpg.Record]] = {}
        for row in rows:
            incident_id = _decoder.decode(row["payload"]).incident.id
            chains.setdefault(incident_id, []).append(row)
        published: list[str] = []
        in_flight = asyncio.Semaphore(64)

        async def one_incident(chain: list[asyncpg.Record]) -> None:
            for row in chain:
                async with in_flight:
                    await self._js.publish(
                        self._topology.subject(row["subject"]),
                        row["payload"],
                        headers={"Nats-Msg-Id": row["event_id"]},
                    )
                published.append(row["event_id"])

        results = await asyncio.gather(*(one_incident(c) for c in chains.values()), return_exceptions=True)
        if published:
            await outbox.delete(self._pool, published)
        failed = next((r for r in results if isinstance(r, BaseException)), None)
        if failed is not None:
            raise failed
        return len(published)
