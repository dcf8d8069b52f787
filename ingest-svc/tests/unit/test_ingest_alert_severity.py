"""Which vendor field a normalizer reports as the severity: the most specific one the payload has
(a monitor priority over a severity tag over Datadog's `[P1]` title prefix over the alert type; a
severity written into a CloudWatch alarm's name or description over its state), and words that
describe a metric (`LowDiskSpace`, `api-p99-latency`) never read as a severity."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.normalizers import severity_hints
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named


def _reported(source: str, payload: Any) -> str | None:
    spec = SOURCES[source]
    event_type = spec.event_type({}, payload)
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2024, 1, 1, tzinfo=UTC), {})
    [emitted] = spec.normalize(delivery, Catalog())
    return emitted.event.reported_severity  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("api-5xx-critical", "critical"),
        ("P1-checkout-latency", "P1"),
        ("[SEV2] queue depth", "SEV2"),
        ("sev-3_replica_lag", "sev-3"),
        ("orders-latency-warning", "warning"),
        ("LowDiskSpace", None),
        ("low-disk-space", None),
        ("HighCPUUtilization", None),
        ("api-p99-latency", None),
        ("user-info-5xx", None),
        ("fatal-errors-count", None),
        ("", None),
    ],
)
def test_severity_in_a_name_only_from_unambiguous_words(name: str, word: str | None) -> None:
    assert severity_hints.in_name(name) == word


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Severity: low. Disk usage above 80%", "low"),
        ("severity=critical; owner=payments", "critical"),
        ("Priority: P4 - nightly job late", "P4"),
        ("[P2] 5xx above 1% for 5 minutes", "P2"),
        ("SEV1 when the queue stops", "SEV1"),
        ("Goes into alarm when server CPU utilization is too high!", None),
        ("p99 latency above 2s on a critical path", None),
        (None, None),
    ],
)
def test_severity_in_prose_only_when_stated(text: str | None, word: str | None) -> None:
    assert severity_hints.in_text(text) == word


def test_severity_tags_must_name_a_level() -> None:
    assert severity_hints.in_tags({"env": "prod", "Severity": "High"}) == "High"
    assert severity_hints.in_tags({"sev": "1"}) == "1"
    assert severity_hints.in_tags({"priority": "p2", "severity": "normal"}) == "p2"
    assert severity_hints.in_tags({"priority": "normal"}) is None
    # Every word of incident-svc's vocabulary passes (syslog, Zabbix and short forms too).
    for word in ("alert", "emerg", "disaster", "blocker", "severe", "err", "med", "average", "trivial"):
        assert severity_hints.in_tags({"team": "sre", "severity": word}) == word


def _alarm(name: str, description: str | None, state: str = "ALARM") -> dict[str, Any]:
    body = json.loads(sample_named("aws_sns/Notification.cloudwatch_alarm.json").body)
    message = json.loads(body["Message"])
    message.update(AlarmName=name, AlarmDescription=description, NewStateValue=state)
    body["Message"] = json.dumps(message)
    return body


def test_cloudwatch_reports_the_severity_in_the_alarm_name_or_description_else_the_state() -> None:
    assert _reported("cloudwatch", _alarm("api-5xx-critical", "5xx above 1%")) == "critical"
    assert _reported("cloudwatch", _alarm("bucketbytesAlarm", "Severity: low - bucket too big")) == "low"
    assert _reported("cloudwatch", _alarm("LowDiskSpace", "Disk is too low")) == "ALARM"
    # A recovery keeps the alarm's severity; the state is in status.
    assert _reported("cloudwatch", _alarm("api-5xx-critical", None, "OK")) == "critical"
    assert _reported("cloudwatch", _alarm("bucketbytesAlarm", None, "OK")) == "OK"


def test_datadog_reports_priority_then_tag_then_title_then_alert_type() -> None:
    base = json.loads(sample_named("datadog/monitor.triggered.json").body)
    assert _reported("datadog", base) == "P1"
    no_priority = {**base, "alert_priority": "", "alert_type": "warning"}
    assert _reported("datadog", no_priority) == "warning"
    tagged = {**no_priority, "tags": "service:checkout,severity:critical"}
    assert _reported("datadog", tagged) == "critical"
    titled = {
        **no_priority,
        "title": "[P2] [Triggered on {service:checkout,env:prod}] High error rate on checkout",
    }
    assert _reported("datadog", titled) == "P2"
    # $PRIORITY renders the event priority (normal/low): a template naming it `priority` has no severity there.
    event_priority = {k: v for k, v in no_priority.items() if k != "alert_priority"} | {"priority": "normal"}
    assert _reported("datadog", event_priority) == "warning"


def test_pagerduty_priority_by_summary_or_name_else_urgency() -> None:
    body = json.loads(sample_named("pagerduty/incident.triggered.json").body)
    assert _reported("pagerduty", body) == "high"
    for key in ("summary", "name"):
        with_priority = copy.deepcopy(body)
        with_priority["event"]["data"]["priority"] = {
            "id": "PSO4ABC",
            "type": "priority_reference",
            key: "SEV-1",
        }
        assert _reported("pagerduty", with_priority) == "SEV-1"
