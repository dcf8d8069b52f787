"""PagerDuty v3 webhooks: incident.* events become alert signals with the vendor's incident state."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, get, need, text, time_at

_INCIDENT = (
    "incident.triggered",
    "incident.acknowledged",
    "incident.unacknowledged",
    "incident.resolved",
    "incident.reopened",
    "incident.escalated",
    "incident.priority_updated",
    "incident.reassigned",
    "incident.delegated",
)
HANDLED = frozenset({*_INCIDENT, "pagey.ping"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "event", "event_type") or ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    # X-Webhook-Id names the subscription, not the delivery; the event id is unique per event.
    return text(payload, "event", "id")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    if d.event_type == "pagey.ping":
        return []
    e = get(d.payload, "event")
    data = get(e, "data")
    incident = need(data, "id")
    state = text(data, "status") or d.event_type.removeprefix("incident.")
    status = "resolved" if state == "resolved" else "firing"
    occurred = first_time(time_at(e, "occurred_at"))
    service = text(data, "service", "summary")
    owner = catalog.owner(monitor=text(data, "service", "id"), service=service)
    # v3 sends a priority_reference (`summary` is the account's name for it: P1, SEV-1, ...); REST-shaped
    # objects name it `name`. Null when the account has no priorities: urgency then says it.
    priority = text(data, "priority", "summary") or text(data, "priority", "name")
    return [
        alert(
            d,
            vendor="pagerduty",
            external_id=incident,
            status=status,
            title=text(data, "title") or incident,
            occurred_at=occurred,
            reported_severity=priority or text(data, "urgency"),
            # The problem's name, stable across trigger/acknowledge/resolve: the event type would give
            # one alert three grouping keys (and group every triggered incident of a service together).
            alert_name=text(data, "title") or incident,
            labels={
                k: v
                for k, v in {
                    "service": service,
                    "urgency": text(data, "urgency"),
                    "priority": priority,
                    "escalation_policy": text(data, "escalation_policy", "summary"),
                    "event_id": text(e, "id"),
                }.items()
                if v
            },
            started_at=occurred if d.event_type == "incident.triggered" else None,
            ended_at=occurred if status == "resolved" else None,
            url=text(data, "html_url"),
            vendor_state=state,
            owner=owner,
        )
    ]
