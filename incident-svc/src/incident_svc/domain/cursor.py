"""Opaque cursors for keyset pagination over (opened_at DESC, number DESC)."""

from __future__ import annotations

import base64
from datetime import datetime

import msgspec


class BadCursor(ValueError):
    pass


def encode_cursor(opened_at: datetime, number: int) -> str:
    raw = msgspec.json.encode([opened_at.isoformat(), number])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, number = msgspec.json.decode(raw, type=tuple[datetime, int])
    except (ValueError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadCursor("cursor is not one this API returned") from exc
    if at.tzinfo is None:
        raise BadCursor("cursor is not one this API returned")
    return at, number
