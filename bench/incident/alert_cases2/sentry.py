"""Sentry integration-platform webhooks (docs.sentry.io, "Integration Platform > Webhooks": issues,
issue alerts, metric alerts). `Sentry-Hook-Resource` names the resource. Issues carry `level` and,
since 2024, `priority` (high/medium/low: Sentry's triage severity, which users may change by hand, so
it wins over the raw level when both are sent). Issue alerts (`event_alert`) carry the event with its
`level` and `issue_id`; metric alerts carry `action` critical/warning/resolved and the metric alert
incident (`data.metric_alert.id`) with its rule (`alert_rule.name`)."""

from __future__ import annotations

from typing import Any

from alert_cases.model import Case, Expect, Relation

ISSUE = {"Content-Type": "application/json", "Sentry-Hook-Resource": "issue"}
EVENT_ALERT = {"Content-Type": "application/json", "Sentry-Hook-Resource": "event_alert"}
METRIC = {"Content-Type": "application/json", "Sentry-Hook-Resource": "metric_alert"}


def issue(
    action: str,
    issue_id: str,
    title: str,
    *,
    level: str | None = "error",
    priority: str | None = None,
    status: str = "unresolved",
    slug: str = "storefront",
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": issue_id,
        "shortId": f"{slug.upper()}-3K",
        "title": title,
        "culprit": "app.views.checkout in submit",
        "permalink": None,
        "status": status,
        "substatus": "new" if status == "unresolved" else None,
        "isPublic": False,
        "platform": "python",
        "project": {"id": "2", "name": slug, "slug": slug, "platform": "python"},
        "type": "error",
        "metadata": {"type": "KeyError", "value": "'sku'", "filename": "app/views/checkout.py"},
        "numComments": 0,
        "assignedTo": None,
        "isBookmarked": False,
        "isSubscribed": False,
        "hasSeen": False,
        "annotations": [],
        "isUnhandled": True,
        "count": "12",
        "userCount": 3,
        "firstSeen": "2024-06-01T10:00:00.000000Z",
        "lastSeen": "2024-06-01T10:04:00.000000Z",
    }
    if level is not None:
        data["level"] = level
    if priority is not None:
        data["priority"] = priority
    return {
        "action": action,
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
        "data": {"issue": data},
        "actor": {"type": "application", "id": "sentry", "name": "Sentry"},
    }


def event_alert(issue_id: str, title: str, level: str, rule: str = "Checkout errors") -> dict[str, Any]:
    eid = f"{int(issue_id):032x}"
    return {
        "action": "triggered",
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
        "data": {
            "event": {
                "event_id": eid,
                "issue_id": issue_id,
                "level": level,
                "title": title,
                "message": "",
                "project": 5,
                "platform": "python",
                "datetime": "2024-06-01T10:00:00.000000Z",
                "tags": [["level", level], ["environment", "production"], ["server_name", "web-1"]],
                "url": f"https://sentry.io/api/0/projects/acme/storefront/events/{eid}/",
                "web_url": f"https://sentry.io/organizations/acme/issues/{issue_id}/events/{eid}/",
                "issue_url": f"https://sentry.io/api/0/issues/{issue_id}/",
            },
            "triggered_rule": rule,
        },
        "actor": {"type": "application", "id": "sentry", "name": "Sentry"},
    }


def metric_alert(
    action: str, incident_id: str, rule: str, *, rule_id: int = 31, closed: bool = False
) -> dict[str, Any]:
    title = rule
    return {
        "action": action,
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
        "data": {
            "description_text": "1000 events in the last 10 minutes\nFilter: level:error",
            "description_title": f"{'Resolved' if action == 'resolved' else action.title()}: {rule}",
            "metric_alert": {
                "alert_rule": {
                    "id": rule_id,
                    "name": rule,
                    "aggregate": "count()",
                    "dataset": "events",
                    "query": "level:error",
                    "time_window": 10.0,
                    "threshold_type": 0,
                    "resolve_threshold": None,
                    "triggers": [
                        {"id": 1, "label": "critical", "alert_threshold": 1000.0},
                        {"id": 2, "label": "warning", "alert_threshold": 500.0},
                    ],
                    "projects": ["storefront"],
                    "status": 0,
                },
                "date_closed": "2024-06-01T11:00:00.000Z" if closed else None,
                "date_detected": "2024-06-01T10:00:00.000Z",
                "date_started": "2024-06-01T10:00:00.000Z",
                "id": incident_id,
                "identifier": "4",
                "organization_id": "1",
                "projects": ["storefront"],
                "status": 2 if closed else 20,
                "status_method": 3,
                "title": title,
                "type": 2,
            },
            "web_url": f"https://sentry.io/organizations/acme/alerts/{incident_id}/",
        },
        "actor": {"type": "application", "id": "sentry", "name": "Sentry"},
    }


def cases() -> tuple[list[Case], list[Relation]]:
    t = "KeyError: 'sku'"
    c = [
        Case(
            "se2.issue.created.error",
            "sentry",
            issue("created", "4120001", t),
            Expect("high", "4120001", t, status="firing"),
            ISSUE,
        ),
        Case(
            "se2.issue.resolved",
            "sentry",
            issue("resolved", "4120001", t, status="resolved"),
            Expect(None, "4120001", t, status="resolved"),
            ISSUE,
        ),
        Case(
            "se2.issue.unresolved",
            "sentry",
            issue("unresolved", "4120001", t),
            Expect("high", "4120001", t, status="firing"),
            ISSUE,
            note="regression: fires again",
        ),
        Case(
            "se2.issue.archived",
            "sentry",
            issue("archived", "4120001", t, status="ignored"),
            Expect(None, "4120001", status="resolved"),
            ISSUE,
        ),
        Case(
            "se2.issue.fatal",
            "sentry",
            issue("created", "4120002", "SIGSEGV in worker", level="fatal"),
            Expect("critical", "4120002", status="firing"),
            ISSUE,
        ),
        Case(
            "se2.issue.warning",
            "sentry",
            issue("created", "4120003", "Slow DB query", level="warning"),
            Expect("medium", "4120003", status="firing"),
            ISSUE,
        ),
        Case(
            "se2.issue.prio_high",
            "sentry",
            issue("created", "4120004", "TypeError: undefined", level="error", priority="high"),
            Expect("high", "4120004", status="firing"),
            ISSUE,
        ),
        Case(
            "se2.issue.prio_low_over_error",
            "sentry",
            issue("created", "4120005", "ConnectionResetError", level="error", priority="low"),
            Expect("low", "4120005", status="firing"),
            ISSUE,
            note="Sentry's issue priority (user-settable triage severity) beats the raw level",
        ),
        Case(
            "se2.issue.prio_medium_no_level",
            "sentry",
            issue("created", "4120006", "Deprecated API used", level=None, priority="medium"),
            Expect("medium", "4120006", status="firing"),
            ISSUE,
        ),
        Case(
            "se2.issue.prio_high_over_info",
            "sentry",
            issue("created", "4120007", "Payment webhook retry", level="info", priority="high"),
            Expect("high", "4120007", status="firing"),
            ISSUE,
        ),
        Case(
            "se2.event_alert.error",
            "sentry",
            event_alert("4120001", t, "error"),
            Expect("high", "4120001", status="firing"),
            EVENT_ALERT,
        ),
        Case(
            "se2.event_alert.fatal",
            "sentry",
            event_alert("4120008", "OOMKilled", "fatal", rule="Fatal crashes"),
            Expect("critical", "4120008", status="firing"),
            EVENT_ALERT,
        ),
        Case(
            "se2.metric.critical",
            "sentry",
            metric_alert("critical", "77", "High error count"),
            Expect("critical", None, "High error count", status="firing"),
            METRIC,
        ),
        Case(
            "se2.metric.warning",
            "sentry",
            metric_alert("warning", "77", "High error count"),
            Expect("medium", None, "High error count", status="firing"),
            METRIC,
        ),
        Case(
            "se2.metric.resolved",
            "sentry",
            metric_alert("resolved", "77", "High error count", closed=True),
            Expect(None, None, "High error count", status="resolved"),
            METRIC,
        ),
        Case(
            "se2.metric.other_rule",
            "sentry",
            metric_alert("critical", "78", "Checkout p95 latency", rule_id=32),
            Expect("critical", None, "Checkout p95 latency", status="firing"),
            METRIC,
        ),
    ]
    r = [
        Relation("se2.r.created_resolved", "se2.issue.created.error", "se2.issue.resolved", True, True),
        Relation("se2.r.created_unresolved", "se2.issue.created.error", "se2.issue.unresolved", True, True),
        Relation(
            "se2.r.issue_vs_event_alert",
            "se2.issue.created.error",
            "se2.event_alert.error",
            True,
            None,
            note="issue alert of the same issue",
        ),
        Relation("se2.r.diff_issues", "se2.issue.created.error", "se2.issue.fatal", False, False),
        Relation("se2.r.metric_crit_warn", "se2.metric.critical", "se2.metric.warning", True, True),
        Relation("se2.r.metric_crit_res", "se2.metric.critical", "se2.metric.resolved", True, True),
        Relation("se2.r.metric_rules", "se2.metric.critical", "se2.metric.other_rule", False, False),
    ]
    return c, r
