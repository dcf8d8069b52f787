"""Base types for every message on the bus.

Events are facts (past tense, fan out, never fail the sender); RPC messages are questions and
commands (one handler, may fail). Both are msgspec Structs so the wire format is strict JSON.
"""

from __future__ import annotations

import hashlib
import uuid
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
    """A stable id from the natural key of a fact: same parts, same id, in every process."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def utcnow() -> datetime:
    return datetime.now(UTC)
