"""Datadog monitor webhooks. The body is a user template; docs/ingest.md gives the one we expect
(Datadog's default keys plus `$ALERT_ID`, `$ALERT_CYCLE_KEY`, `$ALERT_TRANSITION`, `$ALERT_PRIORITY`, `$TAGS`)."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, need, text, time_at

_RESOLVED = ("recovered", "success", "ok")
HANDLED = frozenset(
    {
        "triggered",
        "re-triggered",
        "recovered",
        "warn",
        "re-warn",
        "no data",
        "re-no data",
        "renotify",
        "error",
        "info",
        "success",
        "warning",
    }
)


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (text(payload, "alert_transition") or text(payload, "alert_type") or "").lower()


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    cycle, transition = text(payload, "alert_cycle_key"), text(payload, "alert_transition")
    if cycle and transition:
        return f"{cycle}:{transition}:{text(payload, 'last_updated') or text(payload, 'date')}"
    return text(payload, "id")


def _tags(raw: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in (raw or "").split(","):
        key, _, value = tag.strip().partition(":")
        if key:
            out[key] = value
    return out


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    monitor = text(p, "alert_id") or need(p, "id")
    scope = text(p, "alert_scope") or ""
    # A multi-alert monitor's group (`service:checkout,env:prod`) is in the scope, not always in $TAGS
    # (the monitor's own tags): the group's tags win, so `service` is the group's service.
    tags = {**_tags(text(p, "tags")), **_tags(scope)}
    status = "resolved" if d.event_type in _RESOLVED else "firing"
    occurred = first_time(time_at(p, "last_updated"), time_at(p, "date"))
    return [
        alert(
            d,
            vendor="datadog",
            external_id=f"{monitor}:{scope}" if scope else monitor,
            status=status,
            title=text(p, "title") or monitor,
            occurred_at=occurred,
            identity=(monitor, scope),
            reported_severity=text(p, "alert_priority") or text(p, "alert_type"),
            alert_name=text(p, "alert_title"),
            labels=tags,
            description=text(p, "body"),
            started_at=time_at(p, "date") if status == "firing" else None,
            ended_at=occurred if status == "resolved" else None,
            url=text(p, "link"),
            vendor_state=d.event_type,
            owner=catalog.owner(monitor=monitor, labels=tags, service=tags.get("service")),
        )
    ]
