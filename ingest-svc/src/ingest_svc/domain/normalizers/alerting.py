"""Building AlertSignal events the same way for every monitoring vendor (ids and fingerprints)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.subjects import S

from ingest_svc.domain.model import Delivery, Emitted


def fingerprint(*identity: object) -> str:
    """A stable hash of what identifies the problem (never of values that change between repeats)."""
    return hashlib.sha256("\x1f".join(str(i) for i in identity).encode()).hexdigest()[:32]


def alert(
    d: Delivery,
    *,
    vendor: str,
    external_id: str,
    status: str,
    title: str,
    occurred_at: datetime,
    identity: tuple[object, ...] = (),
    **fields: object,
) -> Emitted:
    """One `alert.signal.received`; its id covers the transition, so a re-sent transition collapses."""
    fp = fingerprint(vendor, *(identity or (external_id,)))
    event = AlertSignal(
        id=deterministic_id(vendor, d.instance, external_id, status, occurred_at.isoformat()),
        occurred_at=occurred_at,
        source=f"{d.source}/{d.instance}",
        causation_id=d.id,
        vendor=vendor,
        external_id=external_id,
        fingerprint=fp,
        status=status,
        title=title[:500],
        **fields,
    )  # type: ignore[arg-type]
    return Emitted(S.ALERT_RECEIVED, event)
