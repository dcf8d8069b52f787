"""A pulled batch of alert signals in a few transactions instead of one each.

The batch is split into lanes (domain/batching.py): each lane runs its signals in stream order in
one transaction on its own connection, so commits and round trips are shared. Lanes run in
parallel. A lane that fails (a deadlock with another instance, a bad signal) is rolled back as a
whole and its signals are retried one transaction each, so one bad signal only fails itself.
"""

from __future__ import annotations

import asyncio

import asyncpg
import structlog
from em_shared.contracts.alerts import AlertSignal

from incident_svc.domain.batching import plan_lanes
from incident_svc.domain.signals import AlertFacts
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.intake import AlertIntake

log = structlog.get_logger("incident.batches")


class BatchIntake:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter, intake: AlertIntake, lanes: int) -> None:
        self._pool = pool
        self._emitter = emitter
        self._intake = intake
        self._lanes = max(1, lanes)

    async def handle(self, signals: list[AlertSignal]) -> list[BaseException | None]:
        """Process the batch; returns, per signal, None when it is done or the error it failed with."""
        outcomes: list[BaseException | None] = [None] * len(signals)
        facts: dict[int, AlertFacts] = {}
        for i, signal in enumerate(signals):
            try:
                facts[i] = self._intake.facts(signal)
            except Exception as exc:  # unreadable for our rules: fails alone
                outcomes[i] = exc
        order = sorted(facts)
        keys = [((facts[i].vendor, facts[i].external_id), facts[i].group_key) for i in order]
        lanes = [[order[k] for k in lane] for lane in plan_lanes(keys, self._lanes)]
        results = await asyncio.gather(*(self._run_lane(lane, signals, facts) for lane in lanes))
        for failures in results:
            for i, exc in failures.items():
                outcomes[i] = exc
        return outcomes

    async def _run_lane(
        self, lane: list[int], signals: list[AlertSignal], facts: dict[int, AlertFacts]
    ) -> dict[int, BaseException]:
        pending = Pending()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for i in lane:
                    await self._intake.process(conn, pending, signals[i], facts[i])
        except Exception as exc:
            log.warning("batch lane failed; retrying its signals one by one", size=len(lane), error=repr(exc))
            return await self._one_by_one(lane, signals)
        await self._emitter.flush(pending)
        return {}

    async def _one_by_one(self, lane: list[int], signals: list[AlertSignal]) -> dict[int, BaseException]:
        failures: dict[int, BaseException] = {}
        for i in lane:
            try:
                await self._intake.handle(signals[i])
            except Exception as exc:
                failures[i] = exc
        return failures
