"""New Relic Workflows webhook (default payload template): issue state CREATED/ACTIVATED/ACKNOWLEDGED/CLOSED."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, items, need, str_list, text, time_at

HANDLED = frozenset({"created", "activated", "acknowledged", "closed"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (text(payload, "state") or "").lower()


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    issue = text(payload, "id")
    return f"{issue}:{text(payload, 'state')}:{text(payload, 'updatedAt')}" if issue else None


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    issue = need(p, "id")
    status = "resolved" if d.event_type == "closed" else "firing"
    occurred = first_time(time_at(p, "updatedAt"), time_at(p, "createdAt"))
    entities = str_list(items(p, "impactedEntities"))
    policies = str_list(items(p, "alertPolicyNames"))
    conditions = str_list(items(p, "alertConditionNames"))
    labels = {
        k: ",".join(v)
        for k, v in (("entities", entities), ("policies", policies), ("conditions", conditions))
        if v
    }
    if wf := text(p, "workflowName"):
        labels["workflow"] = wf
    return [
        alert(
            d,
            vendor="newrelic",
            external_id=issue,
            status=status,
            title=text(p, "title") or issue,
            occurred_at=occurred,
            reported_severity=text(p, "priority"),
            alert_name=conditions[0] if conditions else None,
            labels=labels,
            started_at=time_at(p, "createdAt"),
            ended_at=occurred if status == "resolved" else None,
            url=text(p, "issueUrl"),
            vendor_state=d.event_type,
            # Without a catalog entry the impacted entity (an APM app, a host) names the service, as
            # PagerDuty's service and Alertmanager's `service`/`job` label do.
            owner=catalog.owner(
                app=entities[0] if entities else None,
                monitor=policies[0] if policies else None,
                service=entities[0] if entities else None,
            ),
        )
    ]
