"""Identity across the payload shapes vendors really send: Datadog bodies written from other vendors'
published templates (SIGNL4, Komodor, iLert, Datadog's own default payload), New Relic templates and
the retired alert-channel payload, CloudWatch alarms over old SNS messages and EventBridge. One
problem keeps one external id through its states; two problems (two monitor groups, two accounts)
never share one, and nothing per-notification ($ID, dates, values) is part of it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named


def _signals(source: str, payload: Any, headers: dict[str, str] | None = None) -> list[Any]:
    """Through ingest-svc's path: event type, the handled check (unhandled types are only stored)."""
    spec = SOURCES[source]
    event_type = spec.event_type(headers or {}, payload)
    if not spec.handles(event_type):
        return []
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2024, 1, 1, tzinfo=UTC), {})
    return [e.event for e in spec.normalize(delivery, Catalog())]


def _title(transition: str, scope: str, priority: str = "") -> str:
    return f"{f'[{priority}] ' if priority else ''}[{transition} on {{{scope}}}] Disk almost full"


def _signl4(transition: str, scope: str, event_id: str) -> dict[str, Any]:
    return {
        "title": _title(transition, scope, "P2"),
        "priority": "P2",
        "alertScope": scope,
        "alertId": "4711",
        "alertTransition": transition,
        "alertStatus": f"avg:system.disk.in_use over {scope} was > 0.9 ({event_id[-2:]})",
        "date": "1718035200000",
        "id": event_id,
    }


def _komodor(transition: str, scope: str, event_id: str) -> dict[str, Any]:
    return {
        "title": _title(transition, scope),
        "id": event_id,
        "date": "1718035200000",
        "tags": f"{scope},service:storage",
        "alert": {
            "id": "4711",
            "type": "success" if transition == "Recovered" else "error",
            "transition": transition,
            "priority": "normal",
            "scope": scope,
        },
    }


def _ilert(transition: str, scope: str, event_id: str) -> dict[str, Any]:
    return {
        "title": _title(transition, scope, "P1"),
        "alert_transition": transition,
        "alert_id": "4711",
        "link": "https://app.datadoghq.com/monitors/4711",
        "date": "1718035200000",
        "id": event_id,
    }


def _default(transition: str, scope: str, event_id: str) -> dict[str, Any]:
    return {
        "title": _title(transition, scope),
        "body": "%%%\nDisk usage above 90%\n%%%",
        "event_type": "metric_alert_monitor",
        "date": "1718035200000",
        "id": event_id,
    }


@pytest.mark.parametrize("template", [_signl4, _komodor, _ilert, _default])
def test_datadog_templates_keep_one_identity_per_monitor_group(template: Any) -> None:
    [fired] = _signals("datadog", template("Triggered", "host:web-1", "7084620893441890001"))
    [again] = _signals("datadog", template("Triggered", "host:web-1", "7084620893441890002"))
    [recovered] = _signals("datadog", template("Recovered", "host:web-1", "7084620893441890003"))
    [other] = _signals("datadog", template("Triggered", "host:web-2", "7084620893441890004"))
    assert (fired.status, recovered.status) == ("firing", "resolved")
    assert fired.external_id == again.external_id == recovered.external_id
    assert fired.fingerprint == recovered.fingerprint
    assert "7084620893441890001" not in fired.external_id  # $ID names the notification, not the problem
    assert other.external_id != fired.external_id and other.fingerprint != fired.fingerprint
    # The monitor's name without Datadog's [P1] [Triggered on {...}] prefix: one name for all groups.
    assert fired.alert_name == recovered.alert_name == other.alert_name == "Disk almost full"


def test_datadog_documented_template_with_a_prefixed_alert_title_keeps_the_bare_name() -> None:
    body = json.loads(sample_named("datadog/monitor.triggered.json").body)
    prefixed = copy.deepcopy(body)
    prefixed["alert_title"] = "[Triggered on {service:checkout,env:prod}] High error rate on checkout"
    [plain], [with_prefix] = _signals("datadog", body), _signals("datadog", prefixed)
    assert plain.alert_name == with_prefix.alert_name == "High error rate on checkout"
    assert plain.external_id == with_prefix.external_id == "1234567:service:checkout,env:prod"


def test_datadog_scope_spacing_is_not_identity() -> None:
    body = json.loads(sample_named("datadog/monitor.triggered.json").body)
    spaced = {**body, "alert_scope": "service:checkout, env:prod"}
    assert _signals("datadog", body)[0].external_id == _signals("datadog", spaced)[0].external_id


def test_datadog_groups_changing_state_together_are_two_deliveries() -> None:
    """Same cycle key, transition and time but two scopes: the delivery dedup key must tell them apart."""
    body = json.loads(sample_named("datadog/monitor.triggered.json").body)
    other = {**body, "alert_scope": "service:cart,env:prod"}
    spec = SOURCES["datadog"]
    assert spec.dedup_key({}, body) != spec.dedup_key({}, other)
    assert spec.dedup_key({}, body) == spec.dedup_key({}, copy.deepcopy(body))


def test_datadog_payload_without_a_transition_or_title_is_not_an_alert() -> None:
    assert _signals("datadog", {"id": "1", "body": "hello", "title": "Weekly digest"}) == []


def test_newrelic_issue_id_under_other_template_keys_and_the_legacy_channel_payload() -> None:
    body = json.loads(sample_named("newrelic/workflow.issue_created.json").body)
    renamed = {k: v for k, v in body.items() if k != "id"} | {"issueId": body["id"]}
    [default], [custom] = _signals("newrelic", body), _signals("newrelic", renamed)
    assert default.external_id == custom.external_id == body["id"]
    legacy = {
        "incident_id": 163450695,
        "current_state": "open",
        "severity": "CRITICAL",
        "event_type": "INCIDENT",
        "condition_name": "Synthetic check failed",
        "policy_name": "Synthetics",
        "timestamp": 1600457850876,
        "details": "Monitor failed for location San Francisco",
        "targets": [{"name": "srodev2 - synthetic"}],
    }
    [opened] = _signals("newrelic", legacy)
    [closed] = _signals("newrelic", {**legacy, "current_state": "closed", "timestamp": 1600458850876})
    assert opened.external_id == closed.external_id == "163450695"
    assert (opened.status, closed.status) == ("firing", "resolved")
    assert opened.alert_name == "Synthetic check failed" and opened.owner.service == "srodev2 - synthetic"
    assert opened.reported_severity == "CRITICAL"


def _sns(account: str, topic_region: str, region_name: str, arn: bool = False) -> dict[str, Any]:
    body = json.loads(sample_named("aws_sns/Notification.cloudwatch_alarm.json").body)
    message = json.loads(body["Message"])
    message.update(AWSAccountId=account, Region=region_name)
    if arn:
        message["AlarmArn"] = f"arn:aws:cloudwatch:{topic_region}:{account}:alarm:{message['AlarmName']}"
    body.update(Message=json.dumps(message), TopicArn=f"arn:aws:sns:{topic_region}:{account}:alerts")
    return body


def test_cloudwatch_sns_messages_without_alarm_arn_get_the_alarm_arn() -> None:
    [old] = _signals("cloudwatch", _sns("1234567890", "eu-west-1", "EU (Ireland)"))
    [new] = _signals("cloudwatch", _sns("1234567890", "eu-west-1", "EU (Ireland)", arn=True))
    [other_account] = _signals("cloudwatch", _sns("210987654321", "eu-west-1", "EU (Ireland)"))
    [other_region] = _signals("cloudwatch", _sns("1234567890", "us-east-1", "US East (N. Virginia)"))
    assert (
        old.external_id == new.external_id == "arn:aws:cloudwatch:eu-west-1:1234567890:alarm:bucketbytesAlarm"
    )
    assert len({old.external_id, other_account.external_id, other_region.external_id}) == 3
    assert old.alert_name == other_account.alert_name == "bucketbytesAlarm"
