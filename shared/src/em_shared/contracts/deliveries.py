"""Events about webhook deliveries themselves (dead letters of normalization)."""

from __future__ import annotations

from em_shared.contracts.base import Event


class DeliveryFailed(Event, frozen=True, kw_only=True):
    """`ingest.delivery.failed`: a stored delivery whose normalizer raised; replayable by emctl."""

    delivery_id: str
    vendor: str
    instance: str
    error: str
