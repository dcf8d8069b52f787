"""The alert-signal consumer: a JetStream pull loop feeding lanes that apply signals in chunks.

Same delivery contract as em_shared's `subscribe_events` (durable `<namespace>_<durable>`, explicit
ack once the signal's transaction committed, backoff on failure, dead letter after `max_deliver`
attempts), but built for throughput: the fetch loop only decodes and routes; each lane (one per
`lane_of(grouping key)`) takes everything queued for it, up to a chunk, into one transaction (see
handlers/batches.py). A busy group only delays its own lane, and a lone signal never waits for a
batch to fill. At most `max_ack_pending` signals are in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import msgspec
import structlog
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.subjects import S, Topology
from em_shared.messaging.consumers import DEADLETTER_PREFIX
from em_shared.runtime.observability import MESSAGE_SECONDS, MESSAGES
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from incident_svc.domain.batching import lane_of
from incident_svc.domain.signals import AlertFacts
from incident_svc.handlers.batches import BatchIntake

log = structlog.get_logger("incident.consumer")
SERVICE = "incident"
_decoder = msgspec.json.Decoder(AlertSignal)
_TOP_UP_S = 0.005  # how long to wait for more messages once one arrived


Item = tuple[Msg, AlertSignal, AlertFacts]


class AlertConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        topology: Topology,
        durable: str,
        intake: BatchIntake,
        *,
        batch: int,
        lanes: int,
        max_ack_pending: int,
        max_deliver: int = 6,
        ack_wait_s: float = 30.0,
    ) -> None:
        self._js = js
        self._topology = topology
        self._durable = durable
        self._intake = intake
        self._batch = max(1, batch)
        self._lanes = max(1, lanes)
        self._limit = max(max_ack_pending, self._batch)
        self._max_deliver = max_deliver
        self._config = ConsumerConfig(
            durable_name=topology.stream(durable).replace(".", "_"),
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait_s,
            max_deliver=max_deliver + 1,  # the last delivery is the one we dead-letter
            deliver_policy=DeliverPolicy.ALL,
            max_ack_pending=self._limit,
        )
        self._queues: list[asyncio.Queue[Item | None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight = 0
        self._sub: JetStreamContext.PullSubscription | None = None
        self._fetcher: asyncio.Task[None] | None = None
        self._room = asyncio.Event()
        self._running = False

    async def start(self) -> None:
        spec = self._topology.stream_for(S.ALERT_RECEIVED)
        self._sub = await self._js.pull_subscribe(
            self._topology.subject(S.ALERT_RECEIVED),
            durable=self._config.durable_name,
            stream=self._topology.stream(spec.name),
            config=self._config,
        )
        self._running = True
        self._queues = [asyncio.Queue() for _ in range(self._lanes)]
        self._tasks = [
            asyncio.create_task(self._lane(q), name=f"incident-alert-lane-{i}")
            for i, q in enumerate(self._queues)
        ]
        self._fetcher = asyncio.create_task(self._fetch_loop(), name="incident-alert-fetch")

    async def stop(self) -> None:
        """Stop pulling, finish what the lanes hold (acked), then stop the lanes."""
        self._running = False
        self._room.set()
        if self._fetcher is None or self._sub is None:
            return  # never started
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(self._fetcher, timeout=5.0)
        for queue in self._queues:
            queue.put_nowait(None)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.gather(*self._tasks), timeout=15.0)
        await self._intake.close()
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()

    async def _fetch_loop(self) -> None:
        while self._running:
            try:
                while self._in_flight >= self._limit and self._running:
                    self._room.clear()
                    await self._room.wait()
                await self._pull()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # unrouted messages are redelivered after ack_wait
                log.error("alert fetch failed", error=repr(exc))
                await asyncio.sleep(0.5)

    async def _pull(self) -> None:
        """Wait for one message, then top up with whatever is already waiting. Each call's messages
        go to their lanes at once: a top-up that finds nothing waits `_TOP_UP_S`, and the messages
        already fetched must not wait with it (an idle lane takes them while we fetch)."""
        assert self._sub is not None
        try:
            msgs = await self._sub.fetch(1, timeout=1.0)
        except (TimeoutError, NatsTimeoutError):
            return
        for msg in msgs:
            await self._route(msg)
        # A call can come back short when it meets the status reply of an earlier pull request, so
        # ask again while it keeps finding messages.
        for _ in range(4):
            want = min(self._batch, self._limit - self._in_flight)
            if want <= 0:
                return
            try:
                msgs = await self._sub.fetch(want, timeout=_TOP_UP_S)
            except (TimeoutError, NatsTimeoutError):
                return
            for msg in msgs:
                await self._route(msg)
            if not msgs:
                return

    async def _route(self, msg: Msg) -> None:
        try:
            signal = _decoder.decode(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            await self._dead_letter(msg, f"undecodable: {exc}")
            await msg.term()
            MESSAGES.labels(SERVICE, S.ALERT_RECEIVED, "poison").inc()
            return
        self._in_flight += 1
        try:
            facts = self._intake.facts(signal)
        except Exception as exc:  # unreadable for our rules: fails alone
            await self._settle(msg, exc)
            self._release(1)
            return
        self._queues[lane_of(facts.group_key, self._lanes)].put_nowait((msg, signal, facts))

    async def _lane(self, queue: asyncio.Queue[Item | None]) -> None:
        stopping = False
        while not stopping:
            first = await queue.get()
            if first is None:
                return
            chunk = [first]
            while len(chunk) < self._batch and not queue.empty():
                item = queue.get_nowait()
                if item is None:
                    stopping = True
                    break
                chunk.append(item)
            started = time.perf_counter()
            try:
                failures = await self._intake.handle([(signal, facts) for _, signal, facts in chunk])
            except Exception as exc:  # the intake reports per signal; this is a bug guard
                failures = dict.fromkeys(range(len(chunk)), exc)
            try:
                for i, (msg, _, _) in enumerate(chunk):
                    await self._settle(msg, failures.get(i))
            except Exception as exc:  # NATS gone: unacked messages come back after ack_wait
                log.warning("could not settle alert signals", error=repr(exc))
            finally:
                MESSAGE_SECONDS.labels(SERVICE, S.ALERT_RECEIVED).observe(time.perf_counter() - started)
                self._release(len(chunk))

    def _release(self, count: int) -> None:
        self._in_flight -= count
        self._room.set()

    async def _settle(self, msg: Msg, error: BaseException | None) -> None:
        if error is None:
            await msg.ack()
            MESSAGES.labels(SERVICE, S.ALERT_RECEIVED, "ok").inc()
            return
        attempt = msg.metadata.num_delivered if msg.metadata else 1
        if attempt > self._max_deliver:
            log.error("alert signal dead-lettered after retries", durable=self._durable, error=repr(error))
            await self._dead_letter(msg, repr(error))
            await msg.term()
            MESSAGES.labels(SERVICE, S.ALERT_RECEIVED, "dead_lettered").inc()
        else:
            log.warning("alert signal failed; will retry", durable=self._durable, error=repr(error))
            await msg.nak(delay=min(30.0, 0.2 * 2**attempt))
            MESSAGES.labels(SERVICE, S.ALERT_RECEIVED, "retry").inc()

    async def _dead_letter(self, msg: Msg, error: str) -> None:
        headers = {k: v for k, v in (msg.headers or {}).items() if k != "Nats-Msg-Id"}
        headers.update({"Em-Error": error[:500], "Em-Original-Subject": msg.subject})
        await self._js.publish(
            self._topology.subject(f"{DEADLETTER_PREFIX}.{self._durable}"), msg.data, headers=headers
        )
