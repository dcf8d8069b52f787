"""Durable JetStream pull consumers with explicit ack, bounded redelivery and a dead-letter subject.

A handler that raises gets the message again after a backoff; after `max_deliver` attempts the
message is copied to `deadletter.<durable>` (kept in the DEADLETTER stream for `emctl` to replay)
and terminated, so one poison message never blocks a consumer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
import structlog
from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js.api import AckPolicy as JsAckPolicy
from nats.js.api import ConsumerConfig, DeliverPolicy

from em_shared.contracts.subjects import Topology
from em_shared.runtime.observability import MESSAGE_SECONDS, MESSAGES

E = TypeVar("E", bound=msgspec.Struct)
log = structlog.get_logger("em.consumer")

DEADLETTER_PREFIX = "deadletter"


def subscribe_events(
    broker: NatsBroker,
    topology: Topology,
    service: str,
    subject: str,
    durable: str,
    payload_type: type[E],
    handler: Callable[[E], Awaitable[None]],
    *,
    max_deliver: int = 6,
    ack_wait_s: float = 30.0,
    batch_size: int = 32,
) -> None:
    """Consume `subject` (wildcards allowed) with the durable consumer `<namespace>_<durable>`."""
    decoder = msgspec.json.Decoder(payload_type)
    spec = topology.stream_for(subject)
    stream = JStream(name=topology.stream(spec.name), declare=False)
    durable_name = topology.stream(durable).replace(".", "_")
    config = ConsumerConfig(
        durable_name=durable_name,
        ack_policy=JsAckPolicy.EXPLICIT,
        ack_wait=ack_wait_s,
        max_deliver=max_deliver + 1,  # the last delivery is the one we dead-letter
        deliver_policy=DeliverPolicy.ALL,
        max_ack_pending=1000,
    )

    async def consume(msg: NatsMessage) -> None:
        started = time.perf_counter()
        meta = msg.raw_message.metadata
        attempt = meta.num_delivered if meta else 1
        outcome = "ok"
        structlog.contextvars.bind_contextvars(event_subject=msg.raw_message.subject, attempt=attempt)
        try:
            try:
                event = decoder.decode(msg.body)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                outcome = "poison"
                await _dead_letter(broker, topology, durable, msg, f"undecodable: {exc}")
                await msg.reject()  # JetStream TERM: never redelivered
                return
            structlog.contextvars.bind_contextvars(event_id=getattr(event, "id", None))
            try:
                await handler(event)
            except Exception as exc:
                if attempt > max_deliver:
                    outcome = "dead_lettered"
                    log.error("event dead-lettered after retries", durable=durable, error=repr(exc))
                    await _dead_letter(broker, topology, durable, msg, repr(exc))
                    await msg.reject()  # JetStream TERM: never redelivered
                else:
                    outcome = "retry"
                    log.warning("event handler failed; will retry", durable=durable, error=repr(exc))
                    await msg.nack(delay=min(30.0, 0.2 * 2**attempt))
                return
            await msg.ack()
        finally:
            MESSAGES.labels(service, subject, outcome).inc()
            MESSAGE_SECONDS.labels(service, subject).observe(time.perf_counter() - started)
            structlog.contextvars.unbind_contextvars("event_subject", "attempt", "event_id")

    broker.subscriber(
        topology.subject(subject),
        stream=stream,
        durable=durable_name,
        config=config,
        pull_sub=PullSub(batch_size=batch_size, timeout=1.0),
        ack_policy=AckPolicy.MANUAL,
        title=f"{durable}:{subject}",
    )(consume)


async def _dead_letter(
    broker: NatsBroker, topology: Topology, durable: str, msg: NatsMessage, error: str
) -> None:
    headers = {k: v for k, v in (msg.headers or {}).items() if k != "Nats-Msg-Id"}
    headers.update({"Em-Error": error[:500], "Em-Original-Subject": msg.raw_message.subject})
    await broker.connection.jetstream().publish(
        topology.subject(f"{DEADLETTER_PREFIX}.{durable}"), msg.body, headers=headers
    )
