"""A chunk of alert signals (one lane's worth) applied in one transaction instead of one each.

The commit and the connection checkout are shared by the chunk; its signals run in stream order
within a grouping key (domain/batching.py). Groups of first-seen firing alerts joining an open
incident go first, two statements for all of them (handlers/first_seen.py); the rest one by one. A
chunk that fails (a deadlock with another instance, a bad signal, a race on a first-seen alert) is
rolled back as a whole and its signals are retried one transaction each, so one bad signal only
fails itself and nothing is half-applied.
"""

from __future__ import annotations

import asyncpg
import structlog
from em_shared.contracts.alerts import AlertSignal

from incident_svc.domain.batching import lock_order
from incident_svc.domain.signals import AlertFacts
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.first_seen import apply_first_seen
from incident_svc.handlers.intake import AlertIntake

log = structlog.get_logger("incident.batches")


class BatchIntake:
    def __init__(
        self, pool: asyncpg.Pool, emitter: Emitter, intake: AlertIntake, group_interval_s: float
    ) -> None:
        self._pool = pool
        self._emitter = emitter
        self._intake = intake
        self._interval_s = group_interval_s
        # Connections kept between chunks (at most one per lane at a time): a pool checkout would
        # reset each one on release, a round trip per chunk for session state we never change.
        self._idle: list[asyncpg.Connection] = []

    def facts(self, signal: AlertSignal) -> AlertFacts:
        return self._intake.facts(signal)

    async def handle(self, chunk: list[tuple[AlertSignal, AlertFacts]]) -> dict[int, BaseException]:
        """Apply the chunk; returns the errors of the signals (by index) that could not be applied."""
        order = lock_order([facts.group_key for _, facts in chunk])
        pending = Pending(deferred=True)  # the chunk's outbox rows go in with one statement
        conn = self._idle.pop() if self._idle else await self._pool.acquire()
        try:
            async with conn.transaction():
                done = await apply_first_seen(conn, self._emitter, pending, chunk, order, self._interval_s)
                for i in order:
                    if i in done:
                        continue
                    signal, facts = chunk[i]
                    await self._intake.process(conn, pending, signal, facts)
                await self._emitter.persist(conn, pending)
        except BaseException as exc:
            # The connection goes back to the pool (reset, or replaced if it broke).
            await self._pool.release(conn)
            if not isinstance(exc, Exception):
                raise
            log.warning(
                "alert chunk failed; retrying its signals one by one", size=len(chunk), error=repr(exc)
            )
            return await self._one_by_one(chunk, order)
        self._idle.append(conn)
        await self._emitter.flush(pending)
        return {}

    async def close(self) -> None:
        """Give the kept connections back to the pool (before it closes)."""
        while self._idle:
            await self._pool.release(self._idle.pop())

    async def _one_by_one(
        self, chunk: list[tuple[AlertSignal, AlertFacts]], order: list[int]
    ) -> dict[int, BaseException]:
        failures: dict[int, BaseException] = {}
        for i in order:
            try:
                await self._intake.handle(chunk[i][0])
            except Exception as exc:
                failures[i] = exc
        return failures
