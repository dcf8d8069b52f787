"""New Relic webhooks: Workflows (issue state CREATED/ACTIVATED/ACKNOWLEDGED/CLOSED, default payload
template) and the retired alert-channel payload old accounts still post (incident_id, current_state
open/acknowledged/closed, severity CRITICAL/WARNING/INFO). The Workflows body is a Handlebars template
the operator may edit, so the issue id is read as `id`, `issueId` or `issue_id`.
"""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted, NormalizationError
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_text, first_time, get, items, str_list, text, time_at

HANDLED = frozenset({"created", "activated", "acknowledged", "closed", "open"})
_ISSUE = (("id",), ("issueId",), ("issue_id",), ("incident_id",))
_STATE = (("state",), ("current_state",))
# Workflows variables under the names templates give them: the default payload's lists, the
# variables' own paths (`entitiesData.names`, `accumulations.conditionName`) and one-value keys.
_ENTITIES = (
    ("impactedEntities",),
    ("entitiesData", "names"),
    ("entities", "names"),
    ("entityNames",),
    ("entityName",),
    ("entity_name",),
)
_POLICIES = (("alertPolicyNames",), ("accumulations", "policyName"), ("policy_name",), ("policyName",))
_CONDITIONS = (
    ("alertConditionNames",),
    ("accumulations", "conditionName"),
    ("condition_name",),
    ("conditionName",),
)


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (first_text(payload, *_STATE) or "").lower()


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    issue = first_text(payload, *_ISSUE)
    when = first_text(payload, ("updatedAt",), ("timestamp",))
    return f"{issue}:{first_text(payload, *_STATE)}:{when}" if issue else None


def _names(p: Any, *paths: tuple[str, ...]) -> list[str]:
    """The first spelling that holds names: a list (`alertConditionNames`, or a Handlebars
    `{{json accumulations.conditionName}}` kept nested) or one value (`condition_name`)."""
    for path in paths:
        value = get(p, *path)
        names = str_list(value) if isinstance(value, list) else [v] if (v := first_text(p, path)) else []
        if names := [n for n in names if n.strip()]:
            return names
    return []


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    issue = first_text(p, *_ISSUE)
    if issue is None:
        raise NormalizationError("missing field id (issue id)")
    status = "resolved" if d.event_type == "closed" else "firing"
    occurred = first_time(time_at(p, "updatedAt"), time_at(p, "createdAt"), time_at(p, "timestamp"))
    entities = _names(p, *_ENTITIES) or [n for n in (text(t, "name") for t in items(p, "targets")) if n]
    policies = _names(p, *_POLICIES)
    conditions = _names(p, *_CONDITIONS)
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
            title=first_text(p, ("title",), ("details",)) or issue,
            occurred_at=occurred,
            # Workflows: the issue priority; the alert-channel payload: the incident severity.
            reported_severity=first_text(p, ("priority",), ("severity",)),
            alert_name=conditions[0] if conditions else None,
            labels=labels,
            started_at=time_at(p, "createdAt") or (occurred if status == "firing" else None),
            ended_at=occurred if status == "resolved" else None,
            url=first_text(p, ("issueUrl",), ("issuePageUrl",), ("incident_url",)),
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
