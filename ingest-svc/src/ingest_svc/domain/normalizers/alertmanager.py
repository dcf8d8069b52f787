"""Prometheus Alertmanager (webhook version 4): one alert signal per alert in the group."""

from __future__ import annotations

import hashlib
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted, NormalizationError
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, items, str_map, text, time_at

HANDLED = frozenset({"firing", "resolved"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "status") or ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    """fingerprint + startsAt + status of every alert: a re-sent group collapses, a change does not."""
    parts = sorted(
        f"{text(a, 'fingerprint') or _identity(a)}|{text(a, 'startsAt')}|{text(a, 'status')}"
        for a in items(payload, "alerts")
    )
    if not parts:
        return None
    return hashlib.sha256(f"{text(payload, 'groupKey')}\n{chr(10).join(parts)}".encode()).hexdigest()


def _identity(a: Any) -> str:
    labels = str_map(a, "labels")
    return hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    alerts = items(d.payload, "alerts")
    if not alerts:
        raise NormalizationError("alertmanager payload has no alerts")
    out = []
    for a in alerts:
        labels = str_map(a, "labels")
        annotations = str_map(a, "annotations")
        status = "resolved" if text(a, "status") == "resolved" else "firing"
        started = time_at(a, "startsAt")
        ended = time_at(a, "endsAt") if status == "resolved" else None
        fingerprint = text(a, "fingerprint") or _identity(a)
        name = labels.get("alertname") or "alert"
        title = (
            annotations.get("summary") or annotations.get("message") or annotations.get("description") or name
        )
        occurred = first_time(ended, started)
        out.append(
            alert(
                d,
                vendor="alertmanager",
                external_id=fingerprint,
                status=status,
                title=title,
                occurred_at=occurred,
                identity=(fingerprint,),
                reported_severity=labels.get("severity"),
                alert_name=name,
                labels=labels,
                annotations=annotations,
                description=annotations.get("description"),
                started_at=started,
                ended_at=ended,
                url=text(a, "generatorURL") or text(d.payload, "externalURL"),
                owner=catalog.owner(labels=labels, service=labels.get("service") or labels.get("job")),
            )
        )
    return out
