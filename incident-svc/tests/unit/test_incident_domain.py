"""Pure domain rules: Alertmanager fingerprints, lifecycle, severity, grouping, cursors, signal reading,
intake lanes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.ownership import Ownership
from incident_svc.app import DEFAULT_SEVERITY_MAP
from incident_svc.domain import lifecycle
from incident_svc.domain.batching import lane_of, lock_order
from incident_svc.domain.cursor import BadCursor, decode_cursor, encode_cursor
from incident_svc.domain.fingerprint import alertmanager_fingerprint
from incident_svc.domain.grouping import GroupingRules, group_key, parse_overrides
from incident_svc.domain.severity import SeverityMap, sev_label
from incident_svc.domain.signals import IntakeRules, read_signal

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "webhooks"
DEFAULT_MAP = SeverityMap.from_mapping(yaml.safe_load(DEFAULT_SEVERITY_MAP.read_text()))


def test_fingerprint_matches_the_one_alertmanager_put_in_its_payload() -> None:
    body = json.loads((FIXTURES / "alertmanager" / "firing.grouped_2_alerts.json").read_text())["body"]
    first = body["alerts"][0]
    assert alertmanager_fingerprint(first["labels"]) == first["fingerprint"] == "a1bc48475b20e73d"


def test_fingerprint_matches_published_alertmanager_deliveries_and_prometheus_vectors() -> None:
    # A captured Alertmanager delivery (kube-state-metrics alert, 13 labels) with its fingerprint.
    labels = {
        "alertname": "Deployment",
        "app_kubernetes_io_instance": "eric-oss-common-base",
        "app_kubernetes_io_managed_by": "Helm",
        "app_kubernetes_io_name": "eric-pm-kube-state-metrics",
        "app_kubernetes_io_version": "2.1.0_10",
        "chart": "eric-pm-kube-state-metrics-2.1.0_10",
        "deployment": "eric-log-transformer",
        "instance": "192.168.69.53:8080",
        "job": "eric-pm-kube-state-metrics",
        "kubernetes_name": "eric-pm-kube-state-metrics",
        "kubernetes_namespace": "eric-eo-cm-ci406",
        "namespace": "eric-eo-cm-ci406",
        "severity": "Warning",
    }
    assert alertmanager_fingerprint(labels) == "fbab788ec4c1018b"
    # prometheus/common model TestMetricToFingerprint vectors (decimal there, %016x here).
    assert alertmanager_fingerprint({}) == f"{14695981039346656037:016x}"
    assert alertmanager_fingerprint({"name": "garland, briggs", "fear": "love is not enough"}) == (
        f"{5799056148416392346:016x}"
    )
    # Order of insertion never matters; any value change does.
    assert alertmanager_fingerprint({"b": "1", "a": "2"}) == alertmanager_fingerprint({"a": "2", "b": "1"})
    assert alertmanager_fingerprint({"a": "2", "b": "1"}) != alertmanager_fingerprint({"a": "2", "b": "2"})
    # The separator keeps "ab"+"c" apart from "a"+"bc".
    assert alertmanager_fingerprint({"ab": "c"}) != alertmanager_fingerprint({"a": "bc"})


@pytest.mark.parametrize(
    ("state", "action", "to"),
    [
        ("triggered", "acknowledge", "acknowledged"),
        ("acknowledged", "mitigate", "mitigated"),
        ("triggered", "resolve", "resolved"),
        ("mitigated", "resolve", "resolved"),
        ("resolved", "close", "closed"),
        ("resolved", "reopen", "triggered"),
        ("closed", "reopen", "triggered"),
    ],
)
def test_legal_transitions(state: str, action: str, to: str) -> None:
    assert lifecycle.transition(state, action).to_state == to


@pytest.mark.parametrize(
    ("state", "action", "reason"),
    [
        ("acknowledged", "acknowledge", "already acknowledged"),
        ("resolved", "acknowledge", "cannot acknowledge"),
        ("triggered", "close", "cannot close"),
        ("triggered", "reopen", "already triggered"),
        ("acknowledged", "reopen", "cannot reopen"),
        ("closed", "resolve", "cannot resolve"),
        ("mitigated", "acknowledge", "cannot acknowledge"),
    ],
)
def test_illegal_transitions_say_why(state: str, action: str, reason: str) -> None:
    with pytest.raises(lifecycle.IllegalTransition, match=reason):
        lifecycle.transition(state, action)


def test_merged_incident_refuses_every_action() -> None:
    with pytest.raises(lifecycle.IllegalTransition, match="merged into"):
        lifecycle.transition("closed", "reopen", merged_into="abc")


@pytest.mark.parametrize(
    ("vendor", "raw", "labels", "level"),
    [
        ("pagerduty", "P1", {}, "critical"),
        ("pagerduty", "high", {}, "high"),
        ("pagerduty", "low", {}, "low"),
        ("sentry", "fatal", {}, "critical"),
        ("sentry", "error", {}, "high"),
        ("sentry", "warning", {}, "medium"),
        ("datadog", "P3", {}, "medium"),
        ("datadog", "P5", {}, "low"),
        ("newrelic", "CRITICAL", {}, "critical"),
        ("alertmanager", "warning", {}, "medium"),
        ("alertmanager", None, {"severity": "page"}, "critical"),
        ("cloudwatch", "ALARM", {}, "high"),
        ("cloudwatch", None, {"severity": "low"}, "low"),
        ("sentry", "weird", {}, "high"),
        ("unknownvendor", "sev2", {}, "high"),
        ("unknownvendor", None, {}, "medium"),
    ],
)
def test_default_severity_map(vendor: str, raw: str | None, labels: dict[str, str], level: str) -> None:
    assert DEFAULT_MAP.map(vendor, raw, labels) == level


def test_severity_map_rejects_unknown_levels_and_labels_sev() -> None:
    with pytest.raises(ValueError, match="not one of"):
        SeverityMap.from_mapping({"vendors": {"sentry": {"error": "urgent"}}})
    assert [sev_label(s) for s in ("critical", "high", "medium", "low")] == ["SEV1", "SEV2", "SEV3", "SEV4"]


def test_grouping_overrides_and_fallback() -> None:
    rules = GroupingRules(
        by_source=parse_overrides("alertmanager=service,alert_name,label:cluster"),
        by_service=parse_overrides("payments=service"),
    )
    assert rules.fields_for("sentry", "checkout") == ("service", "alert_name")
    assert rules.fields_for("alertmanager", "checkout") == ("service", "alert_name", "label:cluster")
    assert rules.fields_for("alertmanager", "payments") == ("service",)
    values = {"service": "checkout", "alert_name": "HighLatency"}
    assert group_key(("service", "alert_name"), values, {}, "x") == "service=checkout|alert_name=HighLatency"
    assert group_key(("service", "alert_name"), {"alert_name": "HighLatency"}, {}, "am:1") == "alert=am:1"
    with pytest.raises(ValueError, match="expected name=field"):
        parse_overrides("broken")


def test_cursor_round_trip_and_garbage() -> None:
    at = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, 42)) == (at, 42)
    for bad in ("", "!!!", "bm90IGpzb24", encode_cursor(at, 1)[:-3]):
        with pytest.raises(BadCursor):
            decode_cursor(bad)


def _signal(**kw: object) -> AlertSignal:
    base: dict[str, object] = dict(
        id="e1",
        occurred_at=datetime(2024, 1, 1, tzinfo=UTC),
        source="x",
        vendor="datadog",
        external_id="",
        fingerprint="",
        status="triggered",
        title="t",
    )
    base.update(kw)
    return AlertSignal(**base)  # type: ignore[arg-type]


def test_read_signal_alertmanager_recomputes_identity_from_labels() -> None:
    labels = {"alertname": "High CPU Temperature", "host": "andromeda", "severity": "critical"}
    facts = read_signal(
        _signal(vendor="alertmanager", external_id="whatever", labels=labels, owner=Ownership(service="hw")),
        IntakeRules(severity=DEFAULT_MAP),
    )
    assert facts.external_id == "a1bc48475b20e73d"
    assert facts.severity == "critical" and facts.status == "firing"
    assert facts.group_key == "service=hw|alert_name=High CPU Temperature"


def test_identity_without_external_id_ignores_volatile_fields_and_titles() -> None:
    rules = IntakeRules(severity=DEFAULT_MAP)
    one = read_signal(
        _signal(alert_name="disk", labels={"host": "a", "value": "91"}, title="Disk 91%"), rules
    )
    two = read_signal(
        _signal(alert_name="disk", labels={"host": "a", "value": "97"}, title="Disk 97%"), rules
    )
    other = read_signal(
        _signal(alert_name="disk", labels={"host": "b", "value": "91"}, title="Disk 91%"), rules
    )
    assert one.external_id == two.external_id != other.external_id
    assert read_signal(_signal(status="OK"), rules).status == "resolved"


def test_a_grouping_key_always_takes_the_same_lane_and_lanes_spread_keys() -> None:
    keys = [f"service=svc-{i}|alert_name=A" for i in range(200)]
    lanes = [lane_of(k, 4) for k in keys]
    assert lanes == [lane_of(k, 4) for k in keys]  # stable (crc32, not the per-process hash())
    assert set(lanes) == {0, 1, 2, 3} and max(lanes.count(n) for n in range(4)) < 80
    assert all(lane_of(k, 1) == 0 for k in keys)


def test_lock_order_sorts_by_group_and_keeps_stream_order_within_one() -> None:
    chunk = ["g2", "g1", "g2", "g1", "g0"]
    order = lock_order(chunk)
    assert [chunk[i] for i in order] == ["g0", "g1", "g1", "g2", "g2"]
    assert order == [4, 1, 3, 0, 2]  # g1's signals stay 1 then 3, g2's 0 then 2
