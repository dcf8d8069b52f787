"""The faststream NATS broker factory: one connection per process, logs through structlog."""

from __future__ import annotations

import logging

from faststream.nats import NatsBroker


def create_broker(nats_url: str, name: str, graceful_timeout_s: float = 8.0) -> NatsBroker:
    """A broker whose `stop()` waits for in-flight handlers up to `graceful_timeout_s`.

    Reconnects forever: a NATS restart must never take a service down, only pause it.
    """
    return NatsBroker(
        [u.strip() for u in nats_url.split(",") if u.strip()],
        name=name,
        graceful_timeout=graceful_timeout_s,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        logger=logging.getLogger(f"faststream.{name}"),
        log_level=logging.DEBUG,
    )


async def start_broker(broker: NatsBroker) -> None:
    """Start the broker and return once the NATS server holds every subscription it made.

    A subscription is queued on the client's write buffer and flushed in the background, so a
    request sent on another connection right after `start()` could reach the server first and find
    no responders. A flush is a PING answered after everything sent before it: past it, the
    service's request/reply subjects are live (its `/ready` and callers can rely on that).
    """
    await broker.start()
    await broker.connection.flush()
