"""Sentry integration-platform webhooks built from the real fixtures: `issue.created.json` (zulip's
captured delivery) with `data.issue.level` set to fatal/error/warning/info/debug and `priority`
(high/medium/low, the triage priority Sentry added to issues in 2024) added or not;
`event_alert.triggered.json` (Sentry's docs payload) with the event's `level` (and its `level` tag)
changed; and metric alerts (`Sentry-Hook-Resource: metric_alert`, action critical/warning/resolved,
`data.metric_alert.alert_rule.name`) written from Sentry's "Metric Alerts" webhook page, as no metric
fixture exists. Expected severity: docs/incidents.md (issue priority first, else level; metric alerts
by action)."""

from __future__ import annotations

from typing import Any

from alert_cases.model import NO_SERVICE, Case, Expect, Relation, fixture, headers_of

ISSUE = "sentry/issue.created.json"
ALERT = "sentry/event_alert.triggered.json"
HI, HA = headers_of(ISSUE), headers_of(ALERT)
HM = {"Content-Type": "application/json", "Sentry-Hook-Resource": "metric_alert"}


def issue(
    iid: str, level: str, *, priority: str | None = None, action: str = "created", title: str = ""
) -> dict[str, Any]:
    body = fixture(ISSUE)
    body["action"] = action
    i = body["data"]["issue"]
    i["id"] = iid
    i["level"] = level
    i["title"] = title or f"OperationalError: connection refused ({iid})"
    if priority is not None:
        i["priority"] = priority
    if action == "resolved":
        i["status"] = "resolved"
    return body


def event_alert(issue_id: str, level: str, title: str) -> dict[str, Any]:
    body = fixture(ALERT)
    e = body["data"]["event"]
    e["level"] = level
    e["tags"] = [[k, level if k == "level" else v] for k, v in e["tags"]]
    e["issue_id"] = issue_id
    e["issue_url"] = f"https://sentry.io/api/0/issues/{issue_id}/"
    e["title"] = title
    e["event_id"] = f"{issue_id}{level}".ljust(32, "0")[:32]
    return body


def metric(action: str, rule: str, rid: str, incident: str) -> dict[str, Any]:
    status = {"critical": 20, "warning": 10, "resolved": 2}[action]
    return {
        "action": action,
        "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
        "data": {
            "description_text": "1001 events in the last 10 minutes\nFilter: level:error",
            "description_title": f"{'Resolved' if action == 'resolved' else action.title()}: {rule}",
            "metric_alert": {
                "alert_rule": {
                    "aggregate": "count()",
                    "dataset": "events",
                    "id": rid,
                    "name": rule,
                    "organization_id": "1",
                    "projects": ["checkout"],
                    "query": "level:error",
                    "threshold_type": 0,
                    "time_window": 10,
                    "triggers": [
                        {"label": "critical", "alert_threshold": 1000},
                        {"label": "warning", "alert_threshold": 500},
                    ],
                },
                "date_closed": "2024-06-01T10:20:00Z" if action == "resolved" else None,
                "date_detected": "2024-06-01T10:00:00Z",
                "date_started": "2024-06-01T09:50:00Z",
                "id": incident,
                "identifier": incident,
                "organization_id": "1",
                "projects": ["checkout"],
                "status": status,
                "title": rule,
            },
            "web_url": f"https://sentry.io/organizations/acme/alerts/rules/details/{rid}/",
        },
        "installation": {"uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9"},
    }


def si(cid: str, body: dict[str, Any], sev: str | None, note: str = "") -> Case:
    i = body["data"]["issue"]
    status = "resolved" if body["action"] == "resolved" else "firing"
    return Case(cid, "sentry", body, Expect(sev, i["id"], i["title"], NO_SERVICE, status), HI, note=note)


def cases() -> tuple[list[Case], list[Relation]]:
    c = [
        si("se3.issue.fatal", issue("4100000001", "fatal"), "critical"),
        si("se3.issue.error", issue("4100000002", "error"), "high"),
        si("se3.issue.warning", issue("4100000003", "warning"), "medium"),
        si("se3.issue.info", issue("4100000004", "info"), "low"),
        si("se3.issue.debug", issue("4100000005", "debug"), "low"),
        si(
            "se3.issue.prio_high_warning",
            issue("4100000006", "warning", priority="high"),
            "high",
            "priority first",
        ),
        si("se3.issue.prio_low_error", issue("4100000007", "error", priority="low"), "low", "priority first"),
        si(
            "se3.issue.prio_medium_fatal",
            issue("4100000008", "fatal", priority="medium"),
            "medium",
            "priority first",
        ),
        si("se3.issue.prio_upper", issue("4100000009", "error", priority="HIGH"), "high"),
        si("se3.issue.prio_null", issue("4100000010", "warning", priority=None), "medium"),
        si("se3.issue.resolved", issue("4100000001", "fatal", action="resolved"), None),
        Case(
            "se3.alert.fatal",
            "sentry",
            event_alert("4200000001", "fatal", "SystemExit: worker crashed"),
            Expect("critical", "4200000001", "SystemExit: worker crashed", NO_SERVICE, "firing"),
            HA,
        ),
        Case(
            "se3.alert.warning",
            "sentry",
            event_alert("4200000002", "warning", "SlowQuery: orders lookup over 2s"),
            Expect("medium", "4200000002", "SlowQuery: orders lookup over 2s", NO_SERVICE, "firing"),
            HA,
        ),
        Case(
            "se3.alert.info",
            "sentry",
            event_alert("4200000003", "info", "Deprecated API called"),
            Expect("low", "4200000003", "Deprecated API called", NO_SERVICE, "firing"),
            HA,
        ),
        Case(
            "se3.alert.error",
            "sentry",
            event_alert("4200000004", "error", "KeyError: 'sku'"),
            Expect("high", "4200000004", "KeyError: 'sku'", NO_SERVICE, "firing"),
            HA,
        ),
        Case(
            "se3.metric.critical",
            "sentry",
            metric("critical", "Checkout error count", "71", "4401"),
            Expect("critical", None, "Checkout error count", None, "firing"),
            HM,
        ),
        Case(
            "se3.metric.warning",
            "sentry",
            metric("warning", "p95 latency of /api/cart", "72", "4402"),
            Expect("medium", None, "p95 latency of /api/cart", None, "firing"),
            HM,
        ),
        Case(
            "se3.metric.resolved",
            "sentry",
            metric("resolved", "Checkout error count", "71", "4401"),
            Expect(None, None, "Checkout error count", None, "resolved"),
            HM,
        ),
    ]
    r = [
        Relation("se3.r.issue_created_resolved", "se3.issue.fatal", "se3.issue.resolved", True, True),
        Relation("se3.r.metric_crit_resolved", "se3.metric.critical", "se3.metric.resolved", True, True),
        Relation("se3.r.diff_issues", "se3.issue.fatal", "se3.issue.error", False, False),
    ]
    return c, r
