"""Publish events to JetStream with `Nats-Msg-Id` = event id, so a repeated publish is dropped."""

from __future__ import annotations

import msgspec
from nats.js import JetStreamContext
from nats.js.api import PubAck

from em_shared.contracts.base import Event
from em_shared.contracts.subjects import Topology
from em_shared.runtime.observability import PUBLISHED

_encoder = msgspec.json.Encoder()


class EventPublisher:
    """Publishes canonical events; waits for the stream's ack (the event is durable on return)."""

    def __init__(
        self, js: JetStreamContext, topology: Topology, service: str, timeout_s: float = 5.0
    ) -> None:
        self._js = js
        self._topology = topology
        self._service = service
        self._timeout = timeout_s

    async def publish(self, subject: str, event: Event, headers: dict[str, str] | None = None) -> PubAck:
        all_headers = {"Nats-Msg-Id": event.id, "Em-Schema-Version": str(event.schema_version)}
        if event.correlation_id:
            all_headers["Em-Correlation-Id"] = event.correlation_id
        if headers:
            all_headers.update(headers)
        ack = await self._js.publish(
            self._topology.subject(subject),
            _encoder.encode(event),
            timeout=self._timeout,
            headers=all_headers,
        )
        PUBLISHED.labels(self._service, subject).inc()
        return ack
