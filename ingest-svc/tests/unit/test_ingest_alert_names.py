"""An alert's name is the problem's name: the same across one problem's lifecycle, different between
problems. incident-svc groups by service + alert name and routes a group's signals to one lane, so a
name that changed with the event type would split one alert across lanes (and merge unrelated
problems of a service that share the event type)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named


def _signals(source: str, fixture: str, body: dict[str, Any] | None = None) -> list[Any]:
    sample = sample_named(fixture)
    payload = body if body is not None else json.loads(sample.body)
    spec = SOURCES[source]
    event_type = spec.event_type({k.lower(): v for k, v in sample.headers.items()}, payload)
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2024, 1, 1, tzinfo=UTC), {})
    return [e.event for e in spec.normalize(delivery, Catalog())]


def test_pagerduty_trigger_acknowledge_resolve_share_one_alert_name_the_incident_title() -> None:
    base = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    names = set()
    for status in ("triggered", "acknowledged", "resolved"):
        body = copy.deepcopy(base)
        body["event"]["event_type"] = f"incident.{status}"
        body["event"]["data"]["status"] = status
        names |= {s.alert_name for s in _signals("pagerduty", "pagerduty/incident.triggered.json", body)}
    assert names == {"Test Incident 3"}


def test_two_pagerduty_incidents_of_one_service_have_different_names() -> None:
    body = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    other = copy.deepcopy(body)
    other["event"]["data"].update(id="PZZZZZZ", title="Disk full on db-1")
    [a] = _signals("pagerduty", "pagerduty/incident.triggered.json", body)
    [b] = _signals("pagerduty", "pagerduty/incident.triggered.json", other)
    assert a.labels["service"] == b.labels["service"]
    assert a.alert_name != b.alert_name


def test_sentry_issue_webhooks_and_issue_alerts_name_the_issue_not_a_constant_or_the_rule() -> None:
    [created] = _signals("sentry", "sentry/issue.created.json")
    [resolved] = _signals("sentry", "sentry/issue.resolved.json")
    [alerted] = _signals("sentry", "sentry/event_alert.triggered.json")
    assert created.alert_name == created.title and created.alert_name != "issue"
    assert resolved.alert_name == resolved.title
    assert alerted.alert_name == alerted.title
    assert alerted.labels.get("sentry_rule")  # the rule that fired stays visible


def _datadog(title: str, scope: str, monitor: str = "4242") -> Any:
    body = json.loads(sample_named("datadog/monitor.triggered.json").body)
    body.update(
        alert_title=title, title=f"[Triggered on {{{scope}}}] {title}", alert_scope=scope, alert_id=monitor
    )
    [signal] = _signals("datadog", "datadog/monitor.triggered.json", body)
    return signal


def test_one_multi_alert_datadog_monitor_has_one_name_whatever_group_it_renders_for() -> None:
    # A monitor named `Restarts of {{pod_name.name}} in {{kube_namespace.name}}`, notifying per pod.
    pods = [
        _datadog(f"Restarts of {pod} in payments", f"pod_name:{pod},kube_namespace:payments")
        for pod in ("api-7d9f-x2k4q", "api-7d9f-q8w2z", "worker-5c6b-tt9p1")
    ]
    assert {s.alert_name for s in pods} == {"Restarts of {{pod_name.name}} in {{kube_namespace.name}}"}
    assert len({s.title for s in pods}) == 3  # the rendered titles stay what the vendor sent
    assert len({s.external_id for s in pods}) == 3  # and each group is its own alert


def test_datadog_scope_values_inside_other_words_and_distinct_monitors_stay_apart() -> None:
    # `db` is a scope value but only inside `db-replica-lag`-like words here: nothing is replaced.
    [lag] = [_datadog("Replication lag on dbhost-2 high", "role:db")]
    assert lag.alert_name == "Replication lag on dbhost-2 high"
    cpu = _datadog("High CPU on web-1", "host:web-1", monitor="1")
    disk = _datadog("Disk almost full on web-1", "host:web-1", monitor="2")
    assert cpu.alert_name == "High CPU on {{host.name}}"
    assert cpu.alert_name != disk.alert_name
