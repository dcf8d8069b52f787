"""Pipelined JetStream publishing for the relay: send a whole batch, then collect every ack.

`EventPublisher.publish` awaits one request/reply per event (about 100 us of Python each here);
the relay publishes hundreds per second, so it writes the batch as plain publishes with a reply
inbox each and matches the stream's acks as they arrive (about a third of the CPU, and one round
trip per batch instead of per event). Same headers as `EventPublisher` (`Nats-Msg-Id` = event id,
so a re-publish after a crash is dropped by the stream's duplicate window); an event counts as
published only once its ack came back without an error.

While connected, the batch goes to the client's write buffer as ONE block of HPUB frames built here
(`_frame`), not through `Client.publish` per event: that call re-validates the subject, checks each
header name with a regex and builds the frame from pieces, ~60% of the relay's publishing CPU (it was
about 17 us per event with the acks, measured in bench/ingest/publish.py). The frame is the protocol's
own (`HPUB <subject> <reply> <header bytes> <total bytes>`, then `NATS/1.0` headers and the payload),
with the same header-value sanitising; the subjects and ids are ours. This uses the client's write
buffer (`_send_command`, `_flush_pending`), which is not public API: nats-py is pinned in uv.lock,
and tests/integration/test_ingest_publisher.py reads the frames back from a real stream.
Disconnected (the client buffers with its own limits) or over the server's max payload, an event
takes `Client.publish`.
"""

from __future__ import annotations

import asyncio
import itertools

import msgspec
from em_shared.contracts.base import Event
from em_shared.contracts.subjects import Topology
from em_shared.runtime.observability import PUBLISHED
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

_encoder = msgspec.json.Encoder()


# Header values cannot hold line breaks (the client replaces them the same way).
_NO_NEWLINES = str.maketrans({"\r": " ", "\n": " "})


def _header_value(value: str) -> str:
    value = value.strip()
    return value.translate(_NO_NEWLINES) if "\r" in value or "\n" in value else value


def _headers(item: Outgoing) -> dict[str, str]:
    """The event's NATS headers: the same as `EventPublisher`'s, plus the item's own (lineage)."""
    event = item.event
    headers = {"Nats-Msg-Id": event.id, "Em-Schema-Version": str(event.schema_version)}
    if event.correlation_id:
        headers["Em-Correlation-Id"] = event.correlation_id
    if item.headers:
        headers.update(item.headers)
    return headers


def _frame(subject: str, reply: str, headers: dict[str, str], payload: bytes) -> bytes:
    """One HPUB frame, byte for byte what `Client.publish` sends for these arguments."""
    head = "NATS/1.0\r\n"
    for key, value in headers.items():
        head += f"{key}: {_header_value(value)}\r\n"
    block = (head + "\r\n").encode()
    return b"%s%s%s\r\n" % (
        f"HPUB {subject} {reply} {len(block)} {len(block) + len(payload)}\r\n".encode(),
        block,
        payload,
    )


class PublishFailed(Exception):
    """The stream did not acknowledge the event (error ack, no stream, timeout, NATS away)."""


class Outgoing(msgspec.Struct, frozen=True):
    subject: str
    event: Event
    headers: dict[str, str] | None = None


class _Batch:
    """The acks of one `publish_all`: filled in by the ack callback, awaited as one future.

    One future per batch rather than per event: `asyncio.wait` over hundreds of futures costs about a
    microsecond per future (a done-callback each), as much as the rest of the ack bookkeeping.
    """

    __slots__ = ("acks", "done", "remaining")

    def __init__(self, size: int, done: asyncio.Future[None]) -> None:
        self.acks: list[Msg | None] = [None] * size
        self.remaining = 0
        self.done = done

    def acked(self, index: int, msg: Msg) -> None:
        if self.acks[index] is None:
            self.acks[index] = msg
            self.remaining -= 1
            if self.remaining == 0 and not self.done.done():
                self.done.set_result(None)


class PipelinedPublisher:
    def __init__(self, nc: NatsClient, topology: Topology, service: str, timeout_s: float = 5.0) -> None:
        self._nc = nc
        self._topology = topology
        self._service = service
        self._timeout = timeout_s
        self._prefix = ""
        self._ids = itertools.count()
        self._waiting: dict[str, tuple[_Batch, int]] = {}

    async def _inbox(self) -> str:
        if not self._prefix:
            prefix = self._nc.new_inbox()
            await self._nc.subscribe(f"{prefix}.*", cb=self._on_ack)
            self._prefix = prefix
        return self._prefix

    async def _on_ack(self, msg: Msg) -> None:
        waiting = self._waiting.pop(msg.subject, None)
        if waiting is not None:  # a late ack of a timed-out batch finds nobody waiting
            batch, index = waiting
            batch.acked(index, msg)

    async def publish_all(self, batch: list[Outgoing]) -> list[PublishFailed | None]:
        """One result per event, in order: None when the stream stored it (or already had it)."""
        if not batch:
            return []
        prefix = await self._inbox()
        nc = self._nc
        acks = _Batch(len(batch), asyncio.get_running_loop().create_future())
        sent: list[str | PublishFailed] = []
        framed: list[int] = []  # indexes in `sent` of the frames not yet written
        frames: list[bytes] = []
        for index, item in enumerate(batch):
            reply = f"{prefix}.{next(self._ids)}"
            headers = _headers(item)
            subject = self._topology.subject(item.subject)
            payload = _encoder.encode(item.event)
            self._waiting[reply] = (acks, index)
            acks.remaining += 1
            sent.append(reply)
            frame = _frame(subject, reply, headers, payload) if nc.is_connected else None
            if frame is not None and len(frame) < nc.max_payload:
                frames.append(frame)
                framed.append(index)
                continue
            if frames:  # keep the order of the batch
                await self._write(frames, framed, sent, acks)
                frames, framed = [], []
            try:
                await nc.publish(subject, payload, reply, headers)
            except Exception as exc:  # closed or reconnect buffer full: this one waits for a later pass
                self._fail(index, sent, acks, exc)
        if frames:
            await self._write(frames, framed, sent, acks)
        if acks.remaining > 0:
            await asyncio.wait([acks.done], timeout=self._timeout)
        results = [self._verdict(s, acks.acks[i]) for i, s in enumerate(sent)]
        published: dict[str, int] = {}
        for item, result in zip(batch, results, strict=True):
            if result is None:
                published[item.subject] = published.get(item.subject, 0) + 1
        for subject, count in published.items():  # one counter update per subject, not per event
            PUBLISHED.labels(self._service, subject).inc(count)
        return results

    async def _write(
        self, frames: list[bytes], indexes: list[int], sent: list[str | PublishFailed], acks: _Batch
    ) -> None:
        """Queue HPUB frames on the client's write buffer as one block and wake its flusher.

        A write that fails (the connection closed, the client's buffer full) fails those events:
        they go out again on a later pass, with the same ids.
        """
        nc = self._nc
        block = b"".join(frames)
        try:
            await nc._send_command(block)  # private: see the module docstring
            await nc._flush_pending()
        except Exception as exc:
            for index in indexes:
                self._fail(index, sent, acks, exc)
            return
        nc.stats["out_msgs"] += len(frames)
        nc.stats["out_bytes"] += len(block)

    def _fail(self, index: int, sent: list[str | PublishFailed], acks: _Batch, exc: Exception) -> None:
        reply = sent[index]
        if isinstance(reply, str) and self._waiting.pop(reply, None) is not None:
            acks.remaining -= 1
        sent[index] = PublishFailed(f"publish: {type(exc).__name__}: {exc}")

    def _verdict(self, sent: str | PublishFailed, msg: Msg | None) -> PublishFailed | None:
        if isinstance(sent, PublishFailed):
            return sent
        if msg is None:
            # A late ack finds nobody waiting; the event is re-published on a later pass (same id).
            self._waiting.pop(sent, None)
            return PublishFailed(f"no ack within {self._timeout:.0f}s")
        if msg.headers and msg.headers.get("Status") == "503":
            return PublishFailed("no stream captures the subject (no responders)")
        try:
            ack = msgspec.json.decode(msg.data)
        except msgspec.DecodeError:
            return PublishFailed(f"unreadable ack {msg.data[:100]!r}")
        if not isinstance(ack, dict) or "error" in ack or "seq" not in ack:
            return PublishFailed(f"stream refused the event: {ack!r}"[:300])
        return None
