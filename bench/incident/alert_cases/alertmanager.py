"""Prometheus Alertmanager webhook v4 (prometheus.io "Configuration > webhook_config"; zulip's and
alertmanager-bot's captured deliveries). One delivery holds a group of alerts, each with its own
status; `fingerprint` is absent before Alertmanager 0.20.

Severity: the `severity` label, free text by convention. Values in the wild (kube-prometheus and
monitoring-mixins: critical/warning/info/none; GitLab's mapping table of Prometheus severities:
critical/s1/p1/emergency/fatal, high/s2/p2/major/page, medium/s3/p3/error/alert, low/s4/p4/warn/
warning, info/s5/p5/debug/information/notice; SEV1..SEV4 incident schemes), any case; a `priority`
label (P1..P5) when there is no severity. Identity: the label set (Alertmanager's fingerprint);
annotations, startsAt/endsAt and generatorURL are not identity. Service: `service` label, else `job`.
"""

from __future__ import annotations

from typing import Any

from .model import Case, Expect, Relation, am_fingerprint, fixture

H = {"Content-Type": "application/json"}


def alert(
    labels: dict[str, str],
    status: str = "firing",
    value: str = "0.93",
    starts: str = "2024-05-01T10:00:00Z",
    fingerprint: bool = True,
) -> dict[str, Any]:
    a: dict[str, Any] = {
        "status": status,
        "labels": labels,
        "annotations": {
            "summary": f"{labels.get('alertname')} on {labels.get('instance', '?')}",
            "description": f"Current value is {value}",
        },
        "startsAt": starts,
        "endsAt": "2024-05-01T10:20:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
    }
    if fingerprint:
        a["fingerprint"] = am_fingerprint(labels)
    return a


def group(*alerts: dict[str, Any]) -> dict[str, Any]:
    common = dict(alerts[0]["labels"])
    for a in alerts[1:]:
        common = {k: v for k, v in common.items() if a["labels"].get(k) == v}
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    name = common.get("alertname", "")
    return {
        "receiver": "em-agent",
        "status": status,
        "alerts": list(alerts),
        "groupLabels": {"alertname": name} if name else {},
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
    }


def _labels(severity: str | None = None, **extra: str) -> dict[str, str]:
    labels = {
        "alertname": "HighErrorRate",
        "service": "checkout",
        "instance": "10.0.0.7:8080",
        "job": "checkout-api",
    }
    if severity is not None:
        labels["severity"] = severity
    labels.update(extra)
    return labels


SEVERITY_VALUES = [
    ("critical", "critical"),
    ("CRITICAL", "critical"),
    ("Critical", "critical"),
    ("page", "critical"),
    ("emergency", "critical"),
    ("fatal", "critical"),
    ("crit", "critical"),
    ("error", "high"),
    ("major", "high"),
    ("high", "high"),
    ("HIGH", "high"),
    ("warning", "medium"),
    ("warn", "medium"),
    ("Warning", "medium"),
    ("minor", "medium"),
    ("medium", "medium"),
    ("moderate", "medium"),
    ("info", "low"),
    ("none", "low"),
    ("low", "low"),
    ("informational", "low"),
    ("notice", "low"),
    ("debug", "low"),
    ("P1", "critical"),
    ("p2", "high"),
    ("P3", "medium"),
    ("P4", "low"),
    ("P5", "low"),
    ("sev1", "critical"),
    ("SEV2", "high"),
    ("sev-3", "medium"),
    ("Sev4", "low"),
    ("SEV0", "critical"),
    ("S1", "critical"),
    ("1", "critical"),
    ("2", "high"),
    ("4", "low"),
]


def cases() -> tuple[list[Case], list[Relation]]:
    grouped = fixture("alertmanager/firing.grouped_2_alerts.json")
    fire_labels = {"alertname": "Fire", "severity": "critical"}
    out = [
        Case(
            "am.fixture.grouped.0",
            "alertmanager",
            grouped,
            Expect("critical", "a1bc48475b20e73d", "High CPU Temperature", None, "firing"),
            H,
            0,
        ),
        Case(
            "am.fixture.grouped.1",
            "alertmanager",
            grouped,
            Expect("critical", "a1bc48475b20e73d", "High CPU Temperature", None, "firing"),
            H,
            1,
            note="the fixture's second alert has the same label set, so it is the same alert",
        ),
        Case(
            "am.fixture.resolved",
            "alertmanager",
            fixture("alertmanager/resolved.single.json"),
            Expect("critical", am_fingerprint(fire_labels), "Fire", None, "resolved"),
            H,
            note="pre-0.20 payload without fingerprint",
        ),
    ]
    for i, (value, level) in enumerate(SEVERITY_VALUES):
        labels = _labels(value)
        out.append(
            Case(
                f"am.severity.{i:02d}.{value}",
                "alertmanager",
                group(alert(labels)),
                Expect(level, am_fingerprint(labels), "HighErrorRate", "checkout", "firing"),
                H,
                note=value,
            )
        )
    no_sev = _labels()
    prio = _labels(priority="P2")
    prio_low = _labels(priority="p4")
    out += [
        Case(
            "am.severity.missing",
            "alertmanager",
            group(alert(no_sev)),
            Expect("medium", am_fingerprint(no_sev)),
            H,
            note="no severity label: the vendor default",
        ),
        Case(
            "am.priority_label.P2",
            "alertmanager",
            group(alert(prio)),
            Expect("high", am_fingerprint(prio)),
            H,
        ),
        Case(
            "am.priority_label.p4",
            "alertmanager",
            group(alert(prio_low)),
            Expect("low", am_fingerprint(prio_low)),
            H,
        ),
    ]
    # Identity and grouping.
    base = _labels("critical")
    other_instance = _labels("critical", instance="10.0.0.8:8080")
    other_name = _labels("critical", alertname="HighLatency")
    other_service = _labels("critical", service="cart", job="cart-api")
    job_only = {
        "alertname": "TargetDown",
        "job": "payments",
        "instance": "10.0.1.1:9100",
        "severity": "warning",
    }
    job_only_2 = {**job_only, "instance": "10.0.1.2:9100"}
    out += [
        Case(
            "am.id.base",
            "alertmanager",
            group(alert(base)),
            Expect("critical", am_fingerprint(base), "HighErrorRate", "checkout"),
            H,
        ),
        Case(
            "am.id.later_repeat",
            "alertmanager",
            group(alert(base, value="0.99", starts="2024-05-01T10:00:00Z")),
            Expect(external_id=am_fingerprint(base)),
            H,
            note="repeat_interval re-send with a new value in the annotations",
        ),
        Case(
            "am.id.no_fingerprint_field",
            "alertmanager",
            group(alert(base, fingerprint=False)),
            Expect(external_id=am_fingerprint(base)),
            H,
        ),
        Case(
            "am.id.resolved",
            "alertmanager",
            group(alert(base, "resolved", value="0.01")),
            Expect(external_id=am_fingerprint(base), status="resolved"),
            H,
        ),
        Case(
            "am.id.other_instance",
            "alertmanager",
            group(alert(base), alert(other_instance)),
            Expect("critical", am_fingerprint(other_instance), "HighErrorRate", "checkout"),
            H,
            1,
        ),
        Case(
            "am.id.other_name",
            "alertmanager",
            group(alert(other_name)),
            Expect(alert_name="HighLatency", service="checkout"),
            H,
        ),
        Case(
            "am.id.other_service",
            "alertmanager",
            group(alert(other_service)),
            Expect(alert_name="HighErrorRate", service="cart"),
            H,
        ),
        Case(
            "am.id.job_only",
            "alertmanager",
            group(alert(job_only), alert(job_only_2)),
            Expect("medium", am_fingerprint(job_only), "TargetDown", "payments"),
            H,
            0,
        ),
        Case(
            "am.id.job_only_2",
            "alertmanager",
            group(alert(job_only), alert(job_only_2)),
            Expect("medium", am_fingerprint(job_only_2), "TargetDown", "payments"),
            H,
            1,
        ),
    ]
    rel = [
        Relation("am.rel.repeat", "am.id.base", "am.id.later_repeat", True, True),
        Relation("am.rel.no_fp", "am.id.base", "am.id.no_fingerprint_field", True, True),
        Relation("am.rel.resolved", "am.id.base", "am.id.resolved", True, True),
        Relation("am.rel.instance", "am.id.base", "am.id.other_instance", False, True),
        Relation("am.rel.name", "am.id.base", "am.id.other_name", False, False),
        Relation("am.rel.service", "am.id.base", "am.id.other_service", False, False),
        Relation("am.rel.job_group", "am.id.job_only", "am.id.job_only_2", False, True),
        Relation(
            "am.rel.fixture_identical_labels", "am.fixture.grouped.0", "am.fixture.grouped.1", True, True
        ),
    ]
    return out, rel
