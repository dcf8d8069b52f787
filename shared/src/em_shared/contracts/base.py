"""Base types for every message on the bus.

Events are facts (past tense, fan out, never fail the sender); RPC messages are questions and
commands (one handler, may fail). Both are msgspec Structs so the wire format is strict JSON.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

# Bumped when an event's meaning changes incompatibly; consumers check it before decoding.
SCHEMA_VERSION = 1

NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]


class Event(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """Every event: a deterministic id (the JetStream `Nats-Msg-Id`), vendor time, origin.

    `id` is derived from what the event is about, never random, so a re-normalized delivery
    or a retried publish produces the same id and JetStream's duplicate window drops it.
    """

    id: str
    occurred_at: datetime
    source: str
    schema_version: int = SCHEMA_VERSION
    # Lineage: the stored webhook delivery (or command) this event came from.
    causation_id: str | None = None
    correlation_id: str | None = None


class RpcRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of RPC requests: strict, so a typo in a field is a 400, not a silent default."""


class RpcError(msgspec.Struct, frozen=True, kw_only=True):
    """A typed error reply: `code` is machine-readable (not_found, invalid, conflict, unavailable,
    internal), `message` is for humans, `status` mirrors the HTTP status the same error gets."""

    code: str
    message: str
    status: int = 400
    details: dict[str, Any] | None = None


class RpcReply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The envelope of every reply: exactly one of `result` or `error`."""

    ok: bool
    result: Any = None
    error: RpcError | None = None


def deterministic_id(*parts: object) -> str:
    """A stable id from the natural key of a fact: same parts, same id, in every process.

    The first 16 bytes of SHA-256 with the RFC 4122 version-5 and variant bits set, formatted as
    `uuid.UUID(bytes=..., version=5)` would (a test pins that equality). Built by hand because the
    ingest hot path computes several per delivery and `uuid.UUID` costs twice as much.
    """
    key = "\x1f".join([p if type(p) is str else str(p) for p in parts]).encode()
    raw = bytearray(hashlib.sha256(key).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def utcnow() -> datetime:
    return datetime.now(UTC)
