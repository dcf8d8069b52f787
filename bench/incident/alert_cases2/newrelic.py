"""New Relic Workflows webhook (docs.newrelic.com, "Webhook destinations" and the default payload
template; variables `{{issueId}}`, `{{state}}`, `{{priority}}`, `{{accumulations.conditionName}}`,
`{{entitiesData.names}}`, ...). The default template sends `id`, `state` (CREATED, ACTIVATED,
ACKNOWLEDGED, CLOSED), `priority` (CRITICAL/HIGH/MEDIUM/LOW), `alertConditionNames`,
`impactedEntities`; operators rename keys freely. Identity: the issue id."""

from __future__ import annotations

from typing import Any

from alert_cases.model import Case, Expect, Relation

H = {"Content-Type": "application/json"}


def default(
    issue_id: str,
    state: str,
    *,
    priority: str = "CRITICAL",
    condition: str = "Error rate > 5%",
    entity: str = "checkout-api",
    updated: int = 1718100000000,
) -> dict[str, Any]:
    return {
        "id": issue_id,
        "issueUrl": f"https://radar-api.service.newrelic.com/accounts/1/issues/{issue_id}?notifier=WEBHOOK",
        "title": f"{entity} query result is > 5.0 for 5 minutes on '{condition}'",
        "priority": priority,
        "impactedEntities": [entity],
        "totalIncidents": 1,
        "state": state,
        "trigger": "STATE_CHANGE" if state != "CREATED" else "INCIDENT_ADDED",
        "isCorrelated": False,
        "createdAt": 1718099000000,
        "updatedAt": updated,
        "sources": ["newrelic"],
        "alertPolicyNames": ["Golden Signals"],
        "alertConditionNames": [condition],
        "workflowName": "SRE workflow",
    }


def custom(
    issue_id: str,
    state: str,
    *,
    priority: str = "HIGH",
    condition: str = "Queue backlog",
    entity: str = "orders-worker",
    updated: int = 1718100000000,
) -> dict[str, Any]:
    """A hand-written Handlebars template: issueId, issueTitle, conditionName, entities."""
    return {
        "issueId": issue_id,
        "issueTitle": f"{condition} on {entity}",
        "issuePageUrl": f"https://one.newrelic.com/alerts-ai/issues/{issue_id}",
        "state": state,
        "priority": priority,
        "conditionName": condition,
        "policyName": "Workers",
        "entitiesData": {"names": [entity], "types": ["APPLICATION"]},
        "updatedAt": updated,
    }


def cases() -> tuple[list[Case], list[Relation]]:
    i1, i2, i3 = (
        "5b1a9c3e-0d2f-4e6a-9b8c-7d6e5f4a3b21",
        "c0ffee00-1111-4222-8333-944455556666",
        "9e8d7c6b-5a49-4382-b1a0-fedcba987654",
    )
    cond = "Error rate > 5%"
    c = [
        Case(
            "nr2.created.crit",
            "newrelic",
            default(i1, "CREATED"),
            Expect("critical", i1, cond, "checkout-api", "firing"),
            H,
        ),
        Case(
            "nr2.activated.crit",
            "newrelic",
            default(i1, "ACTIVATED", updated=1718100060000),
            Expect("critical", i1, cond, "checkout-api", "firing"),
            H,
        ),
        Case(
            "nr2.ack.crit",
            "newrelic",
            default(i1, "ACKNOWLEDGED", updated=1718100120000),
            Expect("critical", i1, cond, "checkout-api", "firing"),
            H,
        ),
        Case(
            "nr2.closed.crit",
            "newrelic",
            default(i1, "CLOSED", updated=1718100600000),
            Expect(None, i1, cond, "checkout-api", "resolved"),
            H,
        ),
        Case(
            "nr2.created.medium",
            "newrelic",
            default(i2, "ACTIVATED", priority="MEDIUM", condition="Apdex < 0.8", entity="search-api"),
            Expect("medium", i2, "Apdex < 0.8", "search-api", "firing"),
            H,
        ),
        Case(
            "nr2.created.low_lower",
            "newrelic",
            default(i3, "CREATED", priority="low", condition="Synthetics check slow", entity="status-page"),
            Expect("low", i3, "Synthetics check slow", "status-page", "firing"),
            H,
        ),
        Case(
            "nr2.custom.high",
            "newrelic",
            custom("7a7a7a7a-aaaa-4bbb-8ccc-dddddddddddd", "ACTIVATED"),
            Expect(
                "high", "7a7a7a7a-aaaa-4bbb-8ccc-dddddddddddd", "Queue backlog", "orders-worker", "firing"
            ),
            H,
        ),
        Case(
            "nr2.custom.closed",
            "newrelic",
            custom("7a7a7a7a-aaaa-4bbb-8ccc-dddddddddddd", "CLOSED", updated=1718101000000),
            Expect(
                None, "7a7a7a7a-aaaa-4bbb-8ccc-dddddddddddd", "Queue backlog", "orders-worker", "resolved"
            ),
            H,
        ),
        Case(
            "nr2.other_issue_same_cond",
            "newrelic",
            default("11112222-3333-4444-8555-666677778888", "CREATED"),
            Expect("critical", "11112222-3333-4444-8555-666677778888", cond, "checkout-api", "firing"),
            H,
        ),
    ]
    r = [
        Relation("nr2.r.created_closed", "nr2.created.crit", "nr2.closed.crit", True, True),
        Relation("nr2.r.created_ack", "nr2.created.crit", "nr2.ack.crit", True, True),
        Relation("nr2.r.activated_closed", "nr2.activated.crit", "nr2.closed.crit", True, True),
        Relation("nr2.r.diff_issue_same_cond", "nr2.created.crit", "nr2.other_issue_same_cond", False, True),
        Relation("nr2.r.diff", "nr2.created.crit", "nr2.created.medium", False, False),
        Relation("nr2.r.custom_closed", "nr2.custom.high", "nr2.custom.closed", True, True),
    ]
    return c, r
