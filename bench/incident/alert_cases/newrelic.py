"""New Relic workflow webhooks (docs.newrelic.com "Workflow variables"; the default payload template
as rendered in zulip's fixture; zulip's published template). The body is a Handlebars template the
operator may edit, so keys vary (`id` or `issueId`, `priority` case).

Severity: the issue `priority` CRITICAL | HIGH | MEDIUM | LOW. Identity: the issue id, kept across
CREATED, ACTIVATED, ACKNOWLEDGED and CLOSED; `updatedAt`, `totalIncidents`, `trigger` change.
The legacy alert-channel payload (incident_id, current_state, severity CRITICAL|WARNING|INFO) is
retired but still posted by old accounts (ServiceNow's docs sample).
"""

from __future__ import annotations

from typing import Any

from .model import Case, Expect, Relation, fixture

FIX = "newrelic/workflow.issue_created.json"
H = {"Content-Type": "application/json"}
ISSUE = "208c5e92-f250-40be-b7c2-50508c268c15"


def _with(**changes: Any) -> dict[str, Any]:
    body = fixture(FIX)
    body.update(changes)
    return body


def _without(*keys: str, **changes: Any) -> dict[str, Any]:
    body = _with(**changes)
    for k in keys:
        body.pop(k, None)
    return body


def _legacy(severity: str, state: str = "open", incident: int = 163450695) -> dict[str, Any]:
    return {
        "account_id": 2857531,
        "account_name": "Account 2857531",
        "closed_violations_count_critical": 0,
        "closed_violations_count_warning": 0,
        "condition_family_id": 23975411,
        "condition_id": 23975411,
        "condition_name": "Synthetic check failed",
        "current_state": state,
        "details": "Monitor failed for location San Francisco, CA, USA on 'srodev2 - synthetic'",
        "duration": 99,
        "event_type": "INCIDENT",
        "incident_acknowledge_url": f"https://alerts.newrelic.com/accounts/2857531/incidents/{incident}/acknowledge",
        "incident_api_url": f"https://api.newrelic.com/v2/alerts_incidents/{incident}",
        "incident_id": incident,
        "incident_url": f"https://alerts.newrelic.com/accounts/2857531/incidents/{incident}",
        "open_violations_count_critical": 1,
        "open_violations_count_warning": 0,
        "owner": "",
        "policy_name": "Synthetics",
        "policy_url": "https://alerts.newrelic.com/accounts/2857531/policies/1203215",
        "severity": severity,
        "targets": [
            {
                "id": "AWS_US_WEST_1",
                "name": "srodev2 - synthetic",
                "link": "https://synthetics.newrelic.com/",
                "labels": {},
                "product": "SYNTHETICS",
                "type": "Monitor",
            }
        ],
        "timestamp": 1600457850876,
        "version": "1.0",
    }


def cases() -> tuple[list[Case], list[Relation]]:
    out = [
        Case(
            "nr.fixture.created",
            "newrelic",
            fixture(FIX),
            Expect("critical", ISSUE, "High CPU", "MAIN-APP-UBUNTU", "firing"),
            H,
        ),
    ]
    for p, level in [
        ("HIGH", "high"),
        ("MEDIUM", "medium"),
        ("LOW", "low"),
        ("critical", "critical"),
        ("High", "high"),
        ("low", "low"),
    ]:
        out.append(Case(f"nr.priority.{p}", "newrelic", _with(priority=p), Expect(level, ISSUE), H))
    out += [
        Case(
            "nr.priority.missing",
            "newrelic",
            _without("priority"),
            Expect("medium", ISSUE),
            H,
            note="vendor default",
        ),
        Case(
            "nr.state.activated",
            "newrelic",
            _with(state="ACTIVATED", updatedAt=1713767849495, trigger="STATE_CHANGE"),
            Expect("critical", ISSUE, "High CPU", "MAIN-APP-UBUNTU", "firing"),
            H,
        ),
        Case(
            "nr.state.acknowledged",
            "newrelic",
            _with(state="ACKNOWLEDGED", updatedAt=1713767909495, trigger="ACKNOWLEDGED"),
            Expect(external_id=ISSUE, status="firing"),
            H,
        ),
        Case(
            "nr.state.closed",
            "newrelic",
            _with(state="CLOSED", updatedAt=1713768509495, trigger="STATE_CHANGE", totalIncidents=2),
            Expect(external_id=ISSUE, status="resolved"),
            H,
        ),
        Case(
            "nr.template.issue_id_key",
            "newrelic",
            _without("id", issueId=ISSUE),
            Expect("critical", ISSUE, "High CPU"),
            H,
            note="a custom template naming the issue id issueId",
        ),
        Case(
            "nr.other_issue",
            "newrelic",
            _with(id="3c1f7a2e-0b44-4f4e-9d0e-5c9b8f2a1d77", createdAt=1713771389495),
            Expect(
                external_id="3c1f7a2e-0b44-4f4e-9d0e-5c9b8f2a1d77",
                alert_name="High CPU",
                service="MAIN-APP-UBUNTU",
            ),
            H,
        ),
        Case(
            "nr.other_condition",
            "newrelic",
            _with(
                id="9d2b6c1a-7e3f-4a5b-8c9d-0e1f2a3b4c5d",
                alertConditionNames=["Low disk space"],
                title="Disk free < 10% on 'MAIN-APP-UBUNTU'",
                priority="HIGH",
            ),
            Expect("high", alert_name="Low disk space", service="MAIN-APP-UBUNTU"),
            H,
        ),
        Case(
            "nr.legacy.critical",
            "newrelic",
            _legacy("CRITICAL"),
            Expect("critical", "163450695", status="firing"),
            H,
        ),
        Case(
            "nr.legacy.warning",
            "newrelic",
            _legacy("WARNING", incident=163450777),
            Expect("medium", "163450777"),
            H,
        ),
        Case(
            "nr.legacy.closed",
            "newrelic",
            _legacy("CRITICAL", "closed"),
            Expect(external_id="163450695", status="resolved"),
            H,
        ),
    ]
    rel = [
        Relation("nr.rel.activated", "nr.fixture.created", "nr.state.activated", True, True),
        Relation("nr.rel.ack", "nr.fixture.created", "nr.state.acknowledged", True, True),
        Relation("nr.rel.closed", "nr.fixture.created", "nr.state.closed", True, True),
        Relation("nr.rel.other_issue", "nr.fixture.created", "nr.other_issue", False, True),
        Relation("nr.rel.other_condition", "nr.fixture.created", "nr.other_condition", False, False),
        Relation("nr.rel.legacy_close", "nr.legacy.critical", "nr.legacy.closed", True, True),
        Relation("nr.rel.legacy_other", "nr.legacy.critical", "nr.legacy.warning", False, None),
    ]
    return out, rel
