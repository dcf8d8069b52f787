"""Typed request/reply over core NATS: the caller gets a Struct or an `RpcFailure`, never raw bytes.

Replies travel in an `RpcReply` envelope, so a `nats req rpc.incident.get '{"id": "..."}'` from an
operator's shell shows the same JSON a service sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import msgspec
import nats.errors
import structlog
from faststream.nats import NatsBroker, NatsMessage
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from em_shared.contracts.base import RpcError, RpcReply
from em_shared.contracts.subjects import Topology
from em_shared.messaging.errors import RpcFailure, ServiceError, from_database
from em_shared.runtime.observability import MESSAGE_SECONDS, MESSAGES

R = TypeVar("R")
Q = TypeVar("Q", bound=msgspec.Struct)

_encoder = msgspec.json.Encoder()
_reply_decoder = msgspec.json.Decoder(RpcReply)
log = structlog.get_logger("em.rpc")


class RpcClient:
    """Calls `rpc.*` subjects with a timeout; unavailable services become `RpcFailure('unavailable')`."""

    def __init__(self, nc: NatsClient, topology: Topology, timeout_s: float = 5.0) -> None:
        self._nc = nc
        self._topology = topology
        self._timeout = timeout_s

    async def call(
        self,
        subject: str,
        request: msgspec.Struct | dict[str, Any],
        reply_type: type[R],
        timeout_s: float | None = None,
    ) -> R:
        raw = await self.call_raw(subject, _encoder.encode(request), timeout_s)
        return msgspec.convert(raw, reply_type)

    async def call_raw(self, subject: str, payload: bytes, timeout_s: float | None = None) -> Any:
        try:
            msg = await self._nc.request(
                self._topology.subject(subject), payload, timeout=timeout_s or self._timeout
            )
        except nats.errors.NoRespondersError as exc:
            raise RpcFailure(
                RpcError(code="unavailable", message=f"no service answers {subject}", status=503)
            ) from exc
        except (nats.errors.TimeoutError, TimeoutError) as exc:
            raise RpcFailure(
                RpcError(code="unavailable", message=f"{subject} timed out", status=504)
            ) from exc
        reply = _reply_decoder.decode(msg.data)
        if not reply.ok:
            assert reply.error is not None
            raise RpcFailure(reply.error)
        return reply.result


def encode_reply(result: Any = None, error: RpcError | None = None) -> bytes:
    return _encoder.encode(RpcReply(ok=error is None, result=result, error=error))


async def answer_rpc(
    service: str,
    subject: str,
    decoder: msgspec.json.Decoder[Q],
    handler: Callable[[Q], Awaitable[Any]],
    data: bytes,
) -> bytes:
    """The encoded reply to one request: decoding errors become `invalid` replies, `ServiceError`s
    keep their code, anything else is an `internal` reply and an error log."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        request = decoder.decode(data or b"{}")
        result = await handler(request)
        return encode_reply(result=result)
    except msgspec.ValidationError as exc:
        outcome = "invalid"
        return encode_reply(error=RpcError(code="invalid", message=str(exc), status=400))
    except msgspec.DecodeError as exc:
        outcome = "invalid"
        return encode_reply(error=RpcError(code="invalid", message=f"malformed JSON: {exc}", status=400))
    except ServiceError as exc:
        outcome = exc.code
        return encode_reply(error=exc.to_rpc())
    except asyncpg.exceptions.DataError as exc:
        outcome = "invalid"
        return encode_reply(error=from_database(exc).to_rpc())
    except Exception as exc:
        outcome = "error"
        log.exception("rpc handler failed", subject=subject)
        return encode_reply(error=RpcError(code="internal", message=type(exc).__name__, status=500))
    finally:
        MESSAGES.labels(service, subject, outcome).inc()
        MESSAGE_SECONDS.labels(service, subject).observe(time.perf_counter() - started)


def serve_rpc(
    broker: NatsBroker,
    topology: Topology,
    service: str,
    subject: str,
    request_type: type[Q],
    handler: Callable[[Q], Awaitable[Any]],
    max_workers: int = 32,
) -> None:
    """Answer `subject` with `handler`; instances of one service share a queue group (load balancing).

    Up to `max_workers` requests of this subject are handled concurrently: handlers wait on I/O
    (PostgreSQL, other services, a model), so one slow request must not queue the others behind it.
    A handler that needs serialisation takes its own lock; 1 restores one-at-a-time.

    Decoding errors become `invalid` replies, `ServiceError`s keep their code, anything else is an
    `internal` reply and an error log: a caller always gets an answer it can show.
    """
    decoder = msgspec.json.Decoder(request_type)

    async def respond(msg: NatsMessage) -> bytes:
        return await answer_rpc(service, subject, decoder, handler, msg.body)

    extra: dict[str, Any] = {"max_workers": max_workers} if max_workers > 1 else {}
    broker.subscriber(topology.subject(subject), queue=f"{service}-rpc", title=subject, **extra)(respond)


class CoreResponder:
    """`serve_rpc` on a plain nats-py subscription, for hot subjects whose handlers are cheap next to
    faststream's per-message machinery (dependency injection, which resolves the message in a worker
    thread, and middlewares). Same queue group, envelope, errors and metrics; the owner calls
    `start()` once connected and `stop()` before the connection closes (in-flight requests finish).
    """

    def __init__(
        self,
        nc: NatsClient,
        topology: Topology,
        service: str,
        subject: str,
        request_type: type[Q],
        handler: Callable[[Q], Awaitable[Any]],
        max_workers: int = 32,
    ) -> None:
        self._nc = nc
        self._subject = subject
        self._wire_subject = topology.subject(subject)
        self._queue = f"{service}-rpc"
        self._service = service
        self._decoder = msgspec.json.Decoder(request_type)
        self._handler = handler
        self._slots = asyncio.Semaphore(max_workers)
        self._tasks: set[asyncio.Task[None]] = set()
        self._sub: Any = None

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(self._wire_subject, queue=self._queue, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        # nats-py awaits callbacks one by one: run each request in its own task, at most
        # `max_workers` at once (a full house holds the next message back, as faststream does).
        await self._slots.acquire()
        task = asyncio.create_task(self._answer(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, msg: Msg) -> None:
        try:
            reply = await answer_rpc(self._service, self._subject, self._decoder, self._handler, msg.data)
            if msg.reply:
                await self._nc.publish(msg.reply, reply)
        except Exception:
            log.exception("rpc reply failed", subject=self._subject)
        finally:
            self._slots.release()

    async def stop(self, grace_s: float = 8.0) -> None:
        """Take no new requests; wait up to `grace_s` for the ones being answered."""
        if self._sub is not None:
            with contextlib.suppress(Exception):  # the connection may be gone already
                await self._sub.unsubscribe()
            self._sub = None
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace_s)
