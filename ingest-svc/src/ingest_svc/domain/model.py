"""What a normalizer sees (a stored delivery) and returns (events with their subjects)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from em_shared.contracts.base import Event


class NormalizationError(Exception):
    """The only exception a normalizer raises: the delivery is marked `failed` and dead-lettered."""


class Delivery(msgspec.Struct, frozen=True):
    """A stored, authenticated delivery: decoded JSON payload plus lower-cased headers."""

    id: str
    source: str
    instance: str
    event_type: str
    payload: Any
    received_at: datetime
    headers: dict[str, str] = msgspec.field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Emitted(msgspec.Struct, frozen=True):
    subject: str
    event: Event
