"""The outbox relay: stored deliveries -> normalizer -> canonical events on JetStream -> done.

Each pass claims a batch of outbox rows with FOR UPDATE SKIP LOCKED (several processes share the
work), normalizes them all, publishes every resulting event in one pipelined burst with deterministic
ids (JetStream's duplicate window drops a re-publish after a crash between publish and commit), and
marks the deliveries in the same transaction. A normalizer failure marks the delivery `failed` and
dead-letters it on `ingest.delivery.failed`; a publish failure (NATS away) leaves the row in the
outbox with a backoff. Woken by each local commit, it lingers a few milliseconds first so that under
load one pass carries many deliveries (its fixed cost is four round trips) instead of a handful.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.deliveries import DeliveryFailed
from em_shared.contracts.subjects import S

from ingest_svc import repository
from ingest_svc.catalog_cache import CatalogCache
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.intake import decode
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_svc.outbound import Outgoing, PipelinedPublisher
from ingest_svc.repository import Outcome
from ingest_svc.sns_certs import SnsVerifier

log = structlog.get_logger("ingest.relay")


@dataclass
class _Plan:
    """What one claimed delivery turns into: its events, or the dead letter of a failed normalization."""

    row: asyncpg.Record
    messages: list[Outgoing] = field(default_factory=list)
    error: str | None = None
    confirm_url: str | None = None


class Relay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: PipelinedPublisher,
        catalog: CatalogCache,
        *,
        batch: int = 200,
        poll_s: float = 1.0,
        linger_s: float = 0.05,
        sns: SnsVerifier | None = None,
        sns_auto_confirm: bool = True,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._catalog = catalog
        self._batch = batch
        self._poll_s = poll_s
        self._linger_s = linger_s
        self._sns = sns
        self._confirm = sns_auto_confirm
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self.published = 0
        self.passes = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_connection()

    async def _run(self) -> None:
        while True:
            try:
                done = await self.pass_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: keep trying, the rows are safe in the outbox
                log.warning("relay pass failed", error=repr(exc))
                await self._drop_connection()
                done = 0
                await asyncio.sleep(self._poll_s)
            if done >= self._batch:
                continue  # more is waiting
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)
            if self._wake.is_set() and self._linger_s > 0:
                await asyncio.sleep(self._linger_s)  # let concurrent commits join this pass

    async def _connection(self) -> asyncpg.Connection:
        # The relay keeps one connection: no pool acquire/reset round trips on every pass.
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._pool.acquire()
        return self._conn

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await self._pool.release(conn, timeout=2)

    async def pass_once(self) -> int:
        catalog = await self._catalog.current()
        conn = await self._connection()
        async with conn.transaction():
            rows = await repository.claim_outbox(conn, self._batch)
            if not rows:
                return 0
            plans = [self._plan(row, catalog) for row in rows]
            confirmations = await self._confirm_subscriptions(plans)
            outgoing = [m for p in plans for m in p.messages]
            results = iter(await self._publisher.publish_all(outgoing))
            outcomes, retries = [], []
            for plan, confirmed in zip(plans, confirmations, strict=True):
                failures = [r for r in (next(results) for _ in plan.messages) if r is not None]
                if failures or confirmed is not None:
                    retries.append((plan.row, repr(failures[0] if failures else confirmed)))
                elif plan.error is not None:
                    outcomes.append(Outcome(plan.row["id"], "failed", 0, plan.error[:1000]))
                else:
                    outcomes.append(Outcome(plan.row["id"], "published", len(plan.messages)))
                    self.published += len(plan.messages)
            await repository.complete(conn, outcomes)
            if retries:
                await repository.reschedule(conn, [row["id"] for row, _ in retries], retries[0][1])
        self.passes += 1
        if retries:
            log.warning("publish failed; will retry", count=len(retries), error=retries[0][1])
        return len(rows)

    def _plan(self, row: asyncpg.Record, catalog: Catalog) -> _Plan:
        """Pure: decode and normalize one stored delivery (a failure becomes its dead letter)."""
        source = SOURCES[row["source"]]
        delivery_id = row["id"]
        plan = _Plan(row)
        try:
            payload = decode(source, row["content_type"], row["body"])
            delivery = Delivery(
                id=delivery_id,
                source=row["source"],
                instance=row["instance"],
                event_type=row["event_type"],
                payload=payload,
                received_at=row["received_at"],
                headers=row["headers"],
            )
            emitted = source.normalize(delivery, catalog)
        except Exception as exc:  # NormalizationError, or a stored body that no longer decodes
            plan.error = str(exc) or type(exc).__name__
            failed = DeliveryFailed(
                id=deterministic_id("delivery-failed", delivery_id, plan.error),
                occurred_at=utcnow(),
                source=f"ingest/{row['source']}",
                causation_id=delivery_id,
                delivery_id=delivery_id,
                vendor=row["source"],
                instance=row["instance"],
                error=plan.error[:1000],
            )
            plan.messages.append(Outgoing(S.DELIVERY_FAILED, failed))
            log.warning(
                "normalization failed", delivery_id=delivery_id, source=row["source"], error=plan.error
            )
            return plan
        lineage = {"Em-Delivery-Id": delivery_id}
        plan.messages.extend(Outgoing(item.subject, item.event, lineage) for item in emitted)
        if row["event_type"] == "sns:SubscriptionConfirmation" and isinstance(payload, dict):
            url = payload.get("SubscribeURL")
            plan.confirm_url = url if isinstance(url, str) else None
        return plan

    async def _confirm_subscriptions(self, plans: list[_Plan]) -> list[BaseException | None]:
        """Visit SubscribeURL of verified SNS confirmations (rare); an error retries that delivery."""
        if not self._confirm or self._sns is None or not any(p.confirm_url for p in plans):
            return [None] * len(plans)
        sns = self._sns

        async def confirm(plan: _Plan) -> Any:
            if plan.confirm_url:
                await sns.confirm(plan.confirm_url)
                log.info("SNS subscription confirmed", delivery_id=plan.row["id"])

        results = await asyncio.gather(*(confirm(p) for p in plans), return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]
