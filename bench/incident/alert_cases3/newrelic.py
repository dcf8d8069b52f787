"""New Relic webhooks built from the real `workflow.issue_created.json` fixture (the default Workflows
template, zulip's capture): `priority` CRITICAL/HIGH/MEDIUM/LOW in the cases operators' templates
produce, `state` ACTIVATED/ACKNOWLEDGED/CLOSED, new issue ids, conditions and entities; plus the
legacy alert-channel payload (docs.newrelic.com "Webhook payload" for alert policies: `incident_id`,
`condition_name`, `current_state` open/acknowledged/closed, `severity` CRITICAL/WARNING/INFO,
`targets`). Expected severity: docs/incidents.md (priority as named; legacy WARNING medium, INFO low)."""

from __future__ import annotations

from typing import Any

from alert_cases.model import Case, Expect, Relation, fixture, headers_of

FX = "newrelic/workflow.issue_created.json"
H = headers_of(FX)


def workflow(
    iid: str,
    priority: str,
    *,
    state: str = "ACTIVATED",
    condition: str = "High CPU",
    entity: str = "MAIN-APP-UBUNTU",
    updated: int = 1713767800000,
) -> dict[str, Any]:
    body = fixture(FX)
    body["id"] = iid
    body["priority"] = priority
    body["state"] = state
    body["trigger"] = "STATE_CHANGE" if state != "CREATED" else "INCIDENT_ADDED"
    body["alertConditionNames"] = [condition]
    body["impactedEntities"] = [entity]
    body["title"] = f"{entity} query result is > 2.0 for 1 minutes on '{condition}'"
    body["updatedAt"] = updated
    return body


def legacy(
    incident_id: int,
    severity: str,
    *,
    state: str = "open",
    condition: str = "Error percentage (High)",
    target: str = "orders-api",
) -> dict[str, Any]:
    return {
        "account_id": 1234567,
        "account_name": "Acme",
        "closed_violations_count": {"critical": 0, "warning": 0},
        "condition_family_id": 9876543,
        "condition_id": 9876543,
        "condition_name": condition,
        "current_state": state,
        "details": f"Error percentage > 5.0% for at least 5 minutes on '{target}'",
        "duration": 6,
        "event_type": "INCIDENT",
        "incident_acknowledge_url": f"https://alerts.newrelic.com/accounts/1234567/incidents/{incident_id}/acknowledge",
        "incident_id": incident_id,
        "incident_url": f"https://alerts.newrelic.com/accounts/1234567/incidents/{incident_id}",
        "open_violations_count": {"critical": 1, "warning": 0},
        "owner": "",
        "policy_name": "Orders policy",
        "policy_url": "https://alerts.newrelic.com/accounts/1234567/policies/555",
        "runbook_url": "https://runbooks.example.com/orders",
        "severity": severity,
        "targets": [
            {
                "id": "12345678",
                "name": target,
                "link": "https://rpm.newrelic.com/accounts/1234567/applications/12345678",
                "labels": {},
                "product": "APM",
                "type": "Application",
            }
        ],
        "timestamp": 1718100000000 + len(state),
        "violation_callback_url": f"https://alerts.newrelic.com/accounts/1234567/incidents/{incident_id}",
        "violation_chart_url": "https://gorgon.nr-assets.net/image/abc",
    }


def nr(cid: str, body: dict[str, Any], sev: str | None, note: str = "") -> Case:
    status = "resolved" if body["state"] == "CLOSED" else "firing"
    e = Expect(sev, body["id"], body["alertConditionNames"][0], body["impactedEntities"][0], status)
    return Case(cid, "newrelic", body, e, H, note=note)


def nrl(cid: str, body: dict[str, Any], sev: str | None, note: str = "") -> Case:
    status = "resolved" if body["current_state"] == "closed" else "firing"
    e = Expect(sev, str(body["incident_id"]), body["condition_name"], body["targets"][0]["name"], status)
    return Case(cid, "newrelic", body, e, H, note=note)


def cases() -> tuple[list[Case], list[Relation]]:
    a, b, cc, d, e = (
        "3f1c2b4a-0001-4e6a-9b8c-7d6e5f4a3b21",
        "3f1c2b4a-0002-4e6a-9b8c-7d6e5f4a3b21",
        "3f1c2b4a-0003-4e6a-9b8c-7d6e5f4a3b21",
        "3f1c2b4a-0004-4e6a-9b8c-7d6e5f4a3b21",
        "3f1c2b4a-0005-4e6a-9b8c-7d6e5f4a3b21",
    )
    c = [
        nr("nr3.critical", workflow(a, "CRITICAL"), "critical"),
        nr("nr3.high", workflow(b, "HIGH", condition="Memory used > 90%"), "high"),
        nr(
            "nr3.medium",
            workflow(cc, "MEDIUM", condition="Apdex below 0.85", entity="web-frontend"),
            "medium",
        ),
        nr("nr3.low", workflow(d, "LOW", condition="Disk used > 70%", entity="db-replica-2"), "low"),
        nr("nr3.title_case", workflow(e, "High", condition="Throughput drop"), "high"),
        nr(
            "nr3.ack_critical",
            workflow(a, "CRITICAL", state="ACKNOWLEDGED", updated=1713767900000),
            "critical",
        ),
        nr("nr3.closed", workflow(a, "CRITICAL", state="CLOSED", updated=1713768000000), None),
        nrl("nr3.legacy.critical", legacy(451001, "CRITICAL"), "critical"),
        nrl("nr3.legacy.warning", legacy(451002, "WARNING", condition="Error percentage (Warn)"), "medium"),
        nrl("nr3.legacy.info", legacy(451003, "INFO", condition="Deployment marker"), "low"),
        nrl("nr3.legacy.lower", legacy(451004, "critical", target="billing-api"), "critical"),
        nrl("nr3.legacy.closed", legacy(451001, "CRITICAL", state="closed"), None),
    ]
    r = [
        Relation("nr3.r.created_closed", "nr3.critical", "nr3.closed", True, True),
        Relation("nr3.r.legacy_open_closed", "nr3.legacy.critical", "nr3.legacy.closed", True, True),
    ]
    return c, r
