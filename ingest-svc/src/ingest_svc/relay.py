"""The outbox relay: stored deliveries -> normalizer -> canonical events on JetStream -> done.

It claims outbox rows with FOR UPDATE SKIP LOCKED (several processes share the work), publishes
with deterministic event ids (JetStream's duplicate window drops a re-publish after a crash between
publish and commit), then marks the deliveries in the same transaction. A normalizer failure marks
the delivery `failed` and dead-letters it on `ingest.delivery.failed`; a publish failure (NATS away)
leaves the row in the outbox with a backoff.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.deliveries import DeliveryFailed
from em_shared.contracts.subjects import S
from em_shared.messaging.publisher import EventPublisher

from ingest_svc import repository
from ingest_svc.catalog_cache import CatalogCache
from ingest_svc.domain.intake import decode
from ingest_svc.domain.model import Delivery, NormalizationError
from ingest_svc.domain.sources import SOURCES
from ingest_svc.repository import Outcome
from ingest_svc.sns_certs import SnsVerifier

log = structlog.get_logger("ingest.relay")


class _Retry(Exception):
    pass


class Relay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: EventPublisher,
        catalog: CatalogCache,
        *,
        batch: int = 100,
        poll_s: float = 1.0,
        sns: SnsVerifier | None = None,
        sns_auto_confirm: bool = True,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._catalog = catalog
        self._batch = batch
        self._poll_s = poll_s
        self._sns = sns
        self._confirm = sns_auto_confirm
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                done = await self.pass_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: keep trying, the rows are safe in the outbox
                log.warning("relay pass failed", error=repr(exc))
                done = 0
                await asyncio.sleep(self._poll_s)
            if done >= self._batch:
                continue  # more is waiting
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def pass_once(self) -> int:
        catalog = await self._catalog.current()
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await repository.claim_outbox(conn, self._batch)
            if not rows:
                return 0
            results = await asyncio.gather(
                *(self._process(row, catalog) for row in rows), return_exceptions=True
            )
            outcomes = [r for r in results if isinstance(r, Outcome)]
            retries = [(row, r) for row, r in zip(rows, results, strict=True) if not isinstance(r, Outcome)]
            await repository.complete(conn, outcomes)
            for row, error in retries:
                await repository.reschedule(conn, [row["id"]], repr(error), row["attempts"])
        if retries:
            log.warning("publish failed; will retry", count=len(retries), error=repr(retries[0][1]))
        return len(rows)

    async def _process(self, row: asyncpg.Record, catalog: object) -> Outcome:
        source = SOURCES[row["source"]]
        delivery_id = row["id"]
        try:
            payload = decode(source, row["content_type"], bytes(row["body"]))
            delivery = Delivery(
                id=delivery_id,
                source=row["source"],
                instance=row["instance"],
                event_type=row["event_type"],
                payload=payload,
                received_at=row["received_at"],
                headers=row["headers"],
            )
            emitted = source.normalize(delivery, catalog)  # type: ignore[arg-type]
        except (NormalizationError, Exception) as exc:
            error = str(exc) or type(exc).__name__
            await self._publisher.publish(
                S.DELIVERY_FAILED,
                DeliveryFailed(
                    id=deterministic_id("delivery-failed", delivery_id, error),
                    occurred_at=utcnow(),
                    source=f"ingest/{row['source']}",
                    causation_id=delivery_id,
                    delivery_id=delivery_id,
                    vendor=row["source"],
                    instance=row["instance"],
                    error=error[:1000],
                ),
            )
            log.warning("normalization failed", delivery_id=delivery_id, source=row["source"], error=error)
            return Outcome(delivery_id, "failed", 0, error[:1000])
        if row["event_type"] == "sns:SubscriptionConfirmation" and self._confirm and self._sns is not None:
            await self._confirm_subscription(payload)
        for item in emitted:
            await self._publisher.publish(item.subject, item.event, {"Em-Delivery-Id": delivery_id})
        self.published += len(emitted)
        return Outcome(delivery_id, "published", len(emitted))

    async def _confirm_subscription(self, payload: dict[str, object]) -> None:
        url = payload.get("SubscribeURL")
        if isinstance(url, str) and self._sns is not None:
            await self._sns.confirm(url)
            log.info("SNS subscription confirmed", topic=payload.get("TopicArn"))
