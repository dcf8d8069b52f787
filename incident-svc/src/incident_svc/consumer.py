"""The alert-signal consumer: a JetStream pull loop that hands whole batches to the batch intake.

Same delivery contract as em_shared's `subscribe_events` (durable `<namespace>_<durable>`, explicit
ack after the signal's transaction committed, backoff on failure, dead letter after `max_deliver`
attempts), but a batch is processed together instead of one handler call per message: the handler
cost per signal is what limits throughput here. It waits for the first message of a batch and then
takes whatever else is already waiting, so a lone signal is not held back to fill a batch.
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

from incident_svc.handlers.batches import BatchIntake

log = structlog.get_logger("incident.consumer")
SERVICE = "incident"
_decoder = msgspec.json.Decoder(AlertSignal)
_TOP_UP_S = 0.005  # how long to wait for more messages once one arrived


class AlertConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        topology: Topology,
        durable: str,
        intake: BatchIntake,
        *,
        batch: int,
        max_ack_pending: int,
        max_deliver: int = 6,
        ack_wait_s: float = 30.0,
    ) -> None:
        self._js = js
        self._topology = topology
        self._durable = durable
        self._intake = intake
        self._batch = max(1, batch)
        self._max_deliver = max_deliver
        self._config = ConsumerConfig(
            durable_name=topology.stream(durable).replace(".", "_"),
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait_s,
            max_deliver=max_deliver + 1,  # the last delivery is the one we dead-letter
            deliver_policy=DeliverPolicy.ALL,
            max_ack_pending=max(max_ack_pending, self._batch),
        )
        self._task: asyncio.Task[None] | None = None
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
        self._task = asyncio.create_task(self._run(), name="incident-alert-consumer")

    async def stop(self) -> None:
        """Finish the batch in hand (its messages are acked), then stop pulling."""
        self._running = False
        if self._task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=15.0)
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()

    async def _run(self) -> None:
        while self._running:
            try:
                msgs = await self._pull()
                if msgs:
                    await self._process(msgs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broken batch is redelivered after ack_wait; keep consuming
                log.error("alert batch failed", error=repr(exc))
                await asyncio.sleep(0.5)

    async def _pull(self) -> list[Msg]:
        try:
            msgs = await self._sub.fetch(1, timeout=1.0)
        except (TimeoutError, NatsTimeoutError):
            return []
        if self._batch > 1:
            with contextlib.suppress(TimeoutError, NatsTimeoutError):
                msgs += await self._sub.fetch(self._batch - 1, timeout=_TOP_UP_S)
        return msgs

    async def _process(self, msgs: list[Msg]) -> None:
        started = time.perf_counter()
        signals: list[AlertSignal] = []
        kept: list[Msg] = []
        for msg in msgs:
            try:
                signals.append(_decoder.decode(msg.data))
                kept.append(msg)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                await self._dead_letter(msg, f"undecodable: {exc}")
                await msg.term()
                MESSAGES.labels(SERVICE, S.ALERT_RECEIVED, "poison").inc()
        outcomes = await self._intake.handle(signals) if signals else []
        for msg, error in zip(kept, outcomes, strict=True):
            await self._settle(msg, error)
        per_message = (time.perf_counter() - started) / len(msgs)
        for _ in msgs:
            MESSAGE_SECONDS.labels(SERVICE, S.ALERT_RECEIVED).observe(per_message)

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
