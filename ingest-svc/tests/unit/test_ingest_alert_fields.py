"""Identity, status and service of alert signals on real (or minimally mutated real) vendor payloads:
the fields incident-svc dedups (external id), resolves (status) and groups (service + alert name) by."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from ingest_svc.domain.catalog import Catalog, CatalogService
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named

# The AWS documentation's EventBridge alarm state change (provenance in the fixture file).
EVENTBRIDGE_ALARM: dict[str, Any] = json.loads(
    sample_named("aws_eventbridge/cloudwatch_alarm_state_change.alarm.json").body
)


def _signals(
    source: str,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
    catalog: Catalog | None = None,
) -> list[Any]:
    spec = SOURCES[source]
    event_type = spec.event_type({k.lower(): v for k, v in (headers or {}).items()}, payload)
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2024, 1, 1, tzinfo=UTC), {})
    return [e.event for e in spec.normalize(delivery, catalog or Catalog())]


def _body(fixture: str) -> dict[str, Any]:
    return json.loads(sample_named(fixture).body)  # type: ignore[no-any-return]


def _sns_alarm(state: str, old: str) -> dict[str, Any]:
    body = _body("aws_sns/Notification.cloudwatch_alarm.json")
    message = json.loads(body["Message"])
    message.update(NewStateValue=state, OldStateValue=old)
    body["Message"] = json.dumps(message)
    return body


def test_cloudwatch_sns_alarm_fires_only_in_alarm_and_insufficient_data_ends_it() -> None:
    [fired] = _signals("cloudwatch", _sns_alarm("ALARM", "INSUFFICIENT_DATA"))
    [ok] = _signals("cloudwatch", _sns_alarm("OK", "ALARM"))
    [no_data] = _signals("cloudwatch", _sns_alarm("INSUFFICIENT_DATA", "ALARM"))
    assert (fired.status, ok.status, no_data.status) == ("firing", "resolved", "resolved")
    assert fired.external_id == ok.external_id == no_data.external_id
    assert fired.alert_name == ok.alert_name == "bucketbytesAlarm"
    assert no_data.vendor_state == "INSUFFICIENT_DATA" and no_data.ended_at is not None
    assert fired.occurred_at == datetime(2019, 2, 15, 23, 53, 45, 93000, tzinfo=UTC)


def test_cloudwatch_eventbridge_alarm_state_changes_keep_the_arn_and_carry_the_metric() -> None:
    [fired] = _signals("cloudwatch", EVENTBRIDGE_ALARM)
    states = {}
    for value in ("OK", "INSUFFICIENT_DATA"):
        body = copy.deepcopy(EVENTBRIDGE_ALARM)
        body["detail"]["state"]["value"] = value
        [states[value]] = _signals("cloudwatch", body)
    assert fired.status == "firing" and fired.external_id == EVENTBRIDGE_ALARM["resources"][0]
    assert {s.status for s in states.values()} == {"resolved"}
    assert {s.external_id for s in states.values()} == {fired.external_id}
    assert fired.alert_name == "ServerCpuTooHigh"
    assert fired.labels["InstanceId"] == "i-12345678901234567"
    assert fired.labels["namespace"] == "AWS/EC2" and fired.labels["metric"] == "CPUUtilization"
    assert fired.occurred_at == datetime(2019, 10, 2, 17, 4, 40, 985000, tzinfo=UTC)


def test_sentry_issue_alert_and_issue_hooks_of_one_issue_get_the_same_service_from_the_catalog() -> None:
    catalog = Catalog([CatalogService(name="web", projects=["front-end", "zulip-integration-testing"])])
    alert_body = _body("sentry/event_alert.triggered.json")
    [from_rule] = _signals("sentry", alert_body, {"Sentry-Hook-Resource": "event_alert"}, catalog)
    issue = _body("sentry/issue.created.json")
    [from_issue] = _signals("sentry", issue, {"Sentry-Hook-Resource": "issue"}, catalog)
    # data.event.project is the numeric id 1; the slug comes from the event's API url.
    assert from_rule.owner.service == from_issue.owner.service == "web"


def test_sentry_ignored_and_archived_issues_resolve_unresolved_fires_again() -> None:
    base = _body("sentry/issue.created.json")
    statuses = {}
    for action in ("created", "resolved", "ignored", "archived", "unresolved"):
        body = copy.deepcopy(base)
        body["action"] = action
        [statuses[action]] = _signals("sentry", body, {"Sentry-Hook-Resource": "issue"})
    assert {a: s.status for a, s in statuses.items()} == {
        "created": "firing",
        "resolved": "resolved",
        "ignored": "resolved",
        "archived": "resolved",
        "unresolved": "firing",
    }
    assert len({s.external_id for s in statuses.values()}) == 1
    assert len({s.alert_name for s in statuses.values()}) == 1


def test_datadog_multi_alert_group_service_comes_from_the_scope_and_groups_stay_apart() -> None:
    base = _body("datadog/monitor.triggered.json")
    body = copy.deepcopy(base)
    # A monitor tagged only with its team, grouped by service: the group's service is in the scope.
    body.update(tags="team:payments", alert_scope="service:search,env:prod")
    [grouped] = _signals("datadog", body)
    [original] = _signals("datadog", base)
    assert grouped.owner.service == "search" and original.owner.service == "checkout"
    assert grouped.external_id != original.external_id and grouped.fingerprint != original.fingerprint
    assert grouped.alert_name == original.alert_name


def test_datadog_recoveries_including_from_no_data_resolve_warn_and_no_data_fire() -> None:
    base = _body("datadog/monitor.triggered.json")
    out = {}
    for transition, alert_type in (
        ("Triggered", "error"),
        ("Warn", "warning"),
        ("No Data", "error"),
        ("Re-Triggered", "error"),
        ("Recovered", "success"),
    ):
        body = copy.deepcopy(base)
        body.update(alert_transition=transition, alert_type=alert_type)
        [out[transition]] = _signals("datadog", body)
    assert {t: s.status for t, s in out.items()} == {
        "Triggered": "firing",
        "Warn": "firing",
        "No Data": "firing",
        "Re-Triggered": "firing",
        "Recovered": "resolved",
    }
    assert len({s.external_id for s in out.values()}) == 1


def test_newrelic_issue_lifecycle_one_external_id_and_the_entity_as_service() -> None:
    base = _body("newrelic/workflow.issue_created.json")
    out = {}
    for i, state in enumerate(("CREATED", "ACTIVATED", "ACKNOWLEDGED", "CLOSED")):
        body = copy.deepcopy(base)
        body.update(state=state, updatedAt=base["updatedAt"] + i * 60_000)
        [out[state]] = _signals("newrelic", body)
    assert [s.status for s in out.values()] == ["firing", "firing", "firing", "resolved"]
    assert {s.external_id for s in out.values()} == {base["id"]}
    assert {s.alert_name for s in out.values()} == {"High CPU"}
    assert {s.owner.service for s in out.values()} == {"MAIN-APP-UBUNTU"}
    assert out["CLOSED"].occurred_at > out["CREATED"].occurred_at


def test_alertmanager_group_resolves_per_alert_not_per_group() -> None:
    body = _body("alertmanager/firing.grouped_2_alerts.json")
    body["alerts"][1]["status"] = "resolved"
    body["alerts"][1]["endsAt"] = "2099-01-01T00:00:00Z"
    a, b = _signals("alertmanager", body)
    assert (a.status, b.status) == ("firing", "resolved")
    assert a.external_id != b.external_id and a.alert_name == b.alert_name
