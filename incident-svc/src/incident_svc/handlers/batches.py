"""A chunk of alert signals (one lane's worth) applied in one transaction instead of one each.

The commit and the connection checkout are shared by the chunk; its signals run in stream order
within a grouping key (domain/batching.py). A chunk that fails (a deadlock with another instance, a
bad signal) is rolled back as a whole and its signals are retried one transaction each, so one bad
signal only fails itself and nothing is half-applied.
"""

from __future__ import annotations

import asyncpg
import structlog
from em_shared.contracts.alerts import AlertSignal

from incident_svc.domain.batching import lock_order
from incident_svc.domain.signals import AlertFacts
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.intake import AlertIntake

log = structlog.get_logger("incident.batches")


class BatchIntake:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter, intake: AlertIntake) -> None:
        self._pool = pool
        self._emitter = emitter
        self._intake = intake

    def facts(self, signal: AlertSignal) -> AlertFacts:
        return self._intake.facts(signal)

    async def handle(self, chunk: list[tuple[AlertSignal, AlertFacts]]) -> dict[int, BaseException]:
        """Apply the chunk; returns the errors of the signals (by index) that could not be applied."""
        order = lock_order([facts.group_key for _, facts in chunk])
        pending = Pending(deferred=True)  # the chunk's outbox rows go in with one statement
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for i in order:
                    signal, facts = chunk[i]
                    await self._intake.process(conn, pending, signal, facts)
                await self._emitter.persist(conn, pending)
        except Exception as exc:
            log.warning(
                "alert chunk failed; retrying its signals one by one", size=len(chunk), error=repr(exc)
            )
            return await self._one_by_one(chunk, order)
        await self._emitter.flush(pending)
        return {}

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
