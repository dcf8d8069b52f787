"""Alert fields that user templates and newer vendor payloads carry under other names: Sentry's issue
`priority` (its triage severity), New Relic Workflows variables kept at their own paths
(`entitiesData.names`, `accumulations.conditionName`), and the monitor link Datadog writes into the
event message of its default payload, the only place that payload names the monitor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from em_shared.contracts.alerts import AlertSignal
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES


def _signal(source: str, payload: Any, headers: dict[str, str] | None = None) -> AlertSignal:
    """Through ingest-svc's path: event type, the handled check, the normalizer; exactly one signal."""
    spec = SOURCES[source]
    event_type = spec.event_type(headers or {}, payload)
    assert spec.handles(event_type), event_type
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2024, 6, 1, tzinfo=UTC), {})
    signals = [e.event for e in spec.normalize(delivery, Catalog()) if isinstance(e.event, AlertSignal)]
    assert len(signals) == 1
    return signals[0]


def _sentry_issue(**fields: str) -> dict[str, Any]:
    issue = {
        "id": "4120005",
        "title": "ConnectionResetError",
        "status": "unresolved",
        "lastSeen": "2024-06-01T10:04:00Z",
    }
    issue.update(fields)
    issue["project"] = {"id": "2", "slug": "storefront"}
    return {"action": "created", "data": {"issue": issue}}


@pytest.mark.parametrize(
    ("fields", "severity"),
    [
        ({"level": "error", "priority": "low"}, "low"),  # demoted by hand in Sentry
        ({"level": "info", "priority": "high"}, "high"),
        ({"priority": "medium"}, "medium"),
        ({"level": "warning"}, "warning"),  # payloads from before priorities existed
    ],
)
def test_sentry_issue_priority_is_the_reported_severity_over_the_level(
    fields: dict[str, str], severity: str
) -> None:
    signal = _signal("sentry", _sentry_issue(**fields), {"sentry-hook-resource": "issue"})
    assert signal.reported_severity == severity


def _newrelic(state: str, updated: int) -> dict[str, Any]:
    """A hand-written Workflows template that keeps the variables at their own paths."""
    return {
        "issueId": "7a7a7a7a-aaaa-4bbb-8ccc-dddddddddddd",
        "state": state,
        "priority": "HIGH",
        "entitiesData": {"names": ["orders-worker"], "types": ["APPLICATION"]},
        "accumulations": {"conditionName": ["Queue backlog"], "policyName": ["Workers"]},
        "updatedAt": updated,
    }


def test_newrelic_template_entities_and_conditions_at_their_variable_paths() -> None:
    firing = _signal("newrelic", _newrelic("ACTIVATED", 1718100000000))
    closed = _signal("newrelic", _newrelic("CLOSED", 1718101000000))
    for signal in (firing, closed):
        assert signal.owner.service == "orders-worker"
        assert signal.alert_name == "Queue backlog"
        assert signal.labels["policies"] == "Workers"
    assert (firing.status, closed.status) == ("firing", "resolved")


def test_newrelic_blank_entity_list_falls_through_to_the_next_spelling() -> None:
    payload = {**_newrelic("ACTIVATED", 1), "impactedEntities": [""], "entityName": "billing-api"}
    del payload["entitiesData"]
    assert _signal("newrelic", payload).owner.service == "billing-api"


def _datadog_default(monitor: str, transition: str, date: str) -> dict[str, Any]:
    """Datadog's default payload: $EVENT_MSG, $EVENT_TITLE, $ID, $DATE and nothing naming the monitor
    but the `[Monitor Status]` link inside the message."""
    return {
        "body": f"%%%\nvalue crossed threshold\n\n[[Monitor Status](https://app.datadoghq.com/monitors/{monitor}"
        "?group=host%3Aapi-7)] · [[Edit Monitor](https://app.datadoghq.com/monitors/"
        f"{monitor}/edit)]\n%%%",
        "last_updated": date,
        "event_type": "query_alert_monitor",
        "title": f"[P1] [{transition} on {{host:api-7}}] Checkout down",
        "date": date,
        "org": {"id": "22222", "name": "Acme"},
        "id": f"91000000000000{date}",
    }


def test_datadog_default_payload_is_identified_by_the_monitor_linked_in_the_message() -> None:
    fired = _signal("datadog", _datadog_default("880017", "Triggered", "1718100000000"))
    recovered = _signal("datadog", _datadog_default("880017", "Recovered", "1718100600000"))
    namesake = _signal("datadog", _datadog_default("990042", "Triggered", "1718100000000"))
    assert fired.external_id == recovered.external_id == "880017:host:api-7"
    assert (fired.status, recovered.status) == ("firing", "resolved")
    # Two monitors with one name are two problems, which the name alone would have merged.
    assert namesake.external_id == "990042:host:api-7"
    assert fired.alert_name == namesake.alert_name == "Checkout down"
