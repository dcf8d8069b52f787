"""Events about webhook deliveries themselves (dead letters of normalization)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from em_shared.contracts.base import Event


class DeliveryFailed(Event, frozen=True, kw_only=True):
    """`ingest.delivery.failed`: a stored delivery whose normalizer raised; replayable by emctl."""

    delivery_id: str
    vendor: str
    instance: str
    error: str


class ReplayRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`rpc.ingest.replay`: re-run normalization of stored deliveries (idempotent: same event ids)."""

    source: str | None = None
    status: str | None = None  # pending | published | ignored | failed
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 10_000


class ReplayResult(msgspec.Struct, frozen=True, kw_only=True):
    queued: int
