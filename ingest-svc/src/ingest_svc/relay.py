"""The outbox relay: stored deliveries -> normalizer -> canonical events on JetStream -> done.

Deliveries this process just committed are handed over in memory (body, headers and the payload the
accept path already decoded), so the relay claims their outbox rows by id and never reads the bodies
back. The outbox stays the truth: a periodic scan (and every replay) claims whatever else is ready -
rows left by a crash or restart, by another process, or rescheduled after a failed publish - reading
bodies from PostgreSQL. Either way a pass locks its rows FOR UPDATE SKIP LOCKED (several processes
share the work), normalizes them, publishes every resulting event in one pipelined burst with
deterministic ids (JetStream's duplicate window drops a re-publish after a crash between publish and
commit), and marks the deliveries in the same transaction. A normalizer failure marks the delivery
`failed` and dead-letters it on `ingest.delivery.failed`; a publish failure (NATS away) leaves the row
in the outbox with a backoff. Woken by a commit, it lingers a few milliseconds so that one pass
carries many deliveries (its fixed cost is four round trips) instead of a handful.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
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
from ingest_svc.repository import NewDelivery, Outcome
from ingest_svc.sns_certs import SnsVerifier

log = structlog.get_logger("ingest.relay")


# Bounds of the in-memory hand-over: beyond them committed deliveries wait in the outbox for the scan.
_HANDOFF_BYTES = 64 * 1024 * 1024
# Deliveries normalized between two yields to the event loop (see `_relay`), unless the relay is behind:
# more than this many batches waiting in memory. Short bursts under closed load (a batch or two) keep
# yielding (tail latency: p99 13-14 ms against 17-23 ms with a threshold of one batch at -c32); a
# backlog that keeps growing does not.
_PLAN_SLICE = 16
_BEHIND_BATCHES = 4


class Stored(msgspec.Struct, frozen=True):
    """One committed delivery as the relay needs it, from memory or read back from the outbox."""

    id: str
    source: str
    instance: str
    event_type: str
    received_at: datetime
    content_type: str | None
    headers: dict[str, str]
    body: bytes
    payload: Any = None  # decoded already (accept path), or None: decode the body

    @classmethod
    def from_record(cls, row: asyncpg.Record) -> Stored:
        return cls(
            row["id"],
            row["source"],
            row["instance"],
            row["event_type"],
            row["received_at"],
            row["content_type"],
            row["headers"],
            row["body"],
        )

    @classmethod
    def from_new(cls, row: NewDelivery) -> Stored:
        return cls(
            row.id,
            row.source,
            row.instance,
            row.event_type,
            row.received_at,
            row.content_type,
            row.headers,
            row.body,
            row.payload,
        )


@dataclass
class _Plan:
    """What one claimed delivery turns into: its events, or the dead letter of a failed normalization."""

    item: Stored
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
        handoff_max: int | None = None,
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
        self._fresh: deque[Stored] = deque()
        self._fresh_bytes = 0
        # Deep enough to ride out a burst at saturation (a few seconds of accepts): past it the rest
        # waits in the outbox for the scan, which reads bodies back and costs PostgreSQL ~4x the CPU.
        self._fresh_max = handoff_max or 25 * batch
        self._scan_due = True  # at start: whatever an earlier run left in the outbox
        self._last_scan = 0.0
        self.published = 0
        self.passes = 0

    def wake(self) -> None:
        """Something was put in the outbox behind our back (a replay): scan it now."""
        self._scan_due = True
        self._wake.set()

    def hand_off(self, rows: list[NewDelivery]) -> None:
        """Deliveries just committed with an outbox row: relay them from memory, no read back."""
        for row in rows:
            if len(self._fresh) >= self._fresh_max or self._fresh_bytes + len(row.body) > _HANDOFF_BYTES:
                self._scan_due = True  # we are behind: the rest waits in the outbox for the scan
                break
            self._fresh.append(Stored.from_new(row))
            self._fresh_bytes += len(row.body)
        self._wake.set()

    @property
    def queued(self) -> int:
        """Deliveries handed over in memory and not yet relayed."""
        return len(self._fresh)

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
                if self._fresh:
                    await self.pass_fresh()
                if self._scan_due or time.monotonic() - self._last_scan >= self._poll_s:
                    self._scan_due = False
                    self._last_scan = time.monotonic()
                    if await self.pass_once() >= self._batch:
                        self._scan_due = True  # more is waiting
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: keep trying, the rows are safe in the outbox
                log.warning("relay pass failed", error=repr(exc))
                await self._drop_connection()
                self._drop_fresh()  # they are in the outbox: the scan takes them once it works again
                self._scan_due = True
                await asyncio.sleep(self._poll_s)
                continue
            if len(self._fresh) >= self._batch or self._scan_due:
                continue  # a full batch is waiting: no reason to linger
            if not self._fresh:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)
            if self._fresh and self._linger_s > 0:
                await asyncio.sleep(self._linger_s)  # let concurrent commits join this pass

    def _drop_fresh(self) -> None:
        self._fresh.clear()
        self._fresh_bytes = 0

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

    async def pass_fresh(self) -> int:
        """Relay up to a batch of deliveries handed over in memory; returns how many it claimed."""
        items = [self._fresh.popleft() for _ in range(min(self._batch, len(self._fresh)))]
        self._fresh_bytes -= sum(len(item.body) for item in items)
        catalog = await self._catalog.current()
        conn = await self._connection()
        async with conn.transaction():
            # Rows a scan (of this or another process) already took are locked or gone: skipped.
            claimed = await repository.claim_ids(conn, [item.id for item in items])
            items = [item for item in items if item.id in claimed]
            if items:
                # Batches piling up in memory mean accepts outpace publishing: this pass keeps the loop
                # until it is done (see `_relay`).
                behind = len(self._fresh) >= _BEHIND_BATCHES * self._batch
                await self._relay(conn, items, catalog, behind=behind)
        return len(items)

    async def pass_once(self) -> int:
        """Scan the outbox (bodies read back from PostgreSQL); returns how many rows it claimed."""
        catalog = await self._catalog.current()
        conn = await self._connection()
        async with conn.transaction():
            # Deliveries queued in memory are this process's to relay next: the scan leaves them.
            rows = await repository.claim_outbox(conn, self._batch, [item.id for item in self._fresh])
            if rows:
                await self._relay(conn, [Stored.from_record(row) for row in rows], catalog)
        return len(rows)

    async def _relay(
        self, conn: asyncpg.Connection, items: list[Stored], catalog: Catalog, *, behind: bool = False
    ) -> None:
        """Normalize, publish and complete claimed deliveries, inside the claiming transaction.

        Normalizing yields to the event loop every few deliveries, so requests waiting on it are not
        held up by a whole batch (tail latency). When the relay is `behind`, it does not yield: the
        loop runs round robin, and with dozens of requests ready for every relay slice the relay got
        too small a share to keep up, so the backlog grew without bound (at -c64 in the bench: 10 s
        of publishing left after the load stopped). Accepting faster than events can be published
        only moves the queue; a pass without yields gives the relay the share it needs.
        """
        plans: list[_Plan] = []
        step = len(items) if behind else _PLAN_SLICE
        for start in range(0, len(items), step):
            if start:
                await asyncio.sleep(0)  # let commits and requests waiting on this loop go first
            plans.extend(self._plan(item, catalog) for item in items[start : start + step])
        confirmations = await self._confirm_subscriptions(plans)
        outgoing = [m for p in plans for m in p.messages]
        results = iter(await self._publisher.publish_all(outgoing))
        outcomes, retries = [], []
        for plan, confirmed in zip(plans, confirmations, strict=True):
            failures = [r for r in (next(results) for _ in plan.messages) if r is not None]
            if failures or confirmed is not None:
                retries.append((plan.item.id, repr(failures[0] if failures else confirmed)))
            elif plan.error is not None:
                outcomes.append(Outcome(plan.item.id, "failed", 0, plan.error[:1000]))
            else:
                outcomes.append(Outcome(plan.item.id, "published", len(plan.messages)))
                self.published += len(plan.messages)
        await repository.complete(conn, outcomes)
        if retries:
            await repository.reschedule(conn, [delivery_id for delivery_id, _ in retries], retries[0][1])
        self.passes += 1
        if retries:
            log.warning("publish failed; will retry", count=len(retries), error=retries[0][1])

    def _plan(self, item: Stored, catalog: Catalog) -> _Plan:
        """Pure: decode and normalize one stored delivery (a failure becomes its dead letter)."""
        source = SOURCES[item.source]
        plan = _Plan(item)
        try:
            payload = item.payload
            if payload is None:
                payload = decode(source, item.content_type, item.body)
            delivery = Delivery(
                id=item.id,
                source=item.source,
                instance=item.instance,
                event_type=item.event_type,
                payload=payload,
                received_at=item.received_at,
                headers=item.headers,
            )
            emitted = source.normalize(delivery, catalog)
        except Exception as exc:  # NormalizationError, or a stored body that no longer decodes
            plan.error = str(exc) or type(exc).__name__
            failed = DeliveryFailed(
                id=deterministic_id("delivery-failed", item.id, plan.error),
                occurred_at=utcnow(),
                source=f"ingest/{item.source}",
                causation_id=item.id,
                delivery_id=item.id,
                vendor=item.source,
                instance=item.instance,
                error=plan.error[:1000],
            )
            plan.messages.append(Outgoing(S.DELIVERY_FAILED, failed))
            log.warning("normalization failed", delivery_id=item.id, source=item.source, error=plan.error)
            return plan
        lineage = {"Em-Delivery-Id": item.id}
        plan.messages.extend(Outgoing(e.subject, e.event, lineage) for e in emitted)
        if item.event_type == "sns:SubscriptionConfirmation" and isinstance(payload, dict):
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
                log.info("SNS subscription confirmed", delivery_id=plan.item.id)

        results = await asyncio.gather(*(confirm(p) for p in plans), return_exceptions=True)
        return [r if isinstance(r, BaseException) else None for r in results]
