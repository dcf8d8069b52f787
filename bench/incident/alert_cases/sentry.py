"""Sentry integration-platform webhooks (docs.sentry.io "Integration Platform > Webhooks": issues,
issue alerts, metric alerts; zulip's captured deliveries).

Severity: the event/issue `level` (fatal, error, warning, info, debug; JS SDKs also send `log`);
metric alerts say it in `action` (critical, warning, resolved). Identity: the issue id for issue and
issue-alert hooks (`data.event.issue_id`), the metric alert incident (`data.metric_alert.id`).
"""

from __future__ import annotations

from typing import Any

from .model import Case, Expect, Relation, fixture

ALERT = "sentry/event_alert.triggered.json"
ISSUE = "sentry/issue.created.json"
H_ALERT = {"Content-Type": "application/json", "Sentry-Hook-Resource": "event_alert"}
H_ISSUE = {"Content-Type": "application/json", "Sentry-Hook-Resource": "issue"}
H_METRIC = {"Content-Type": "application/json", "Sentry-Hook-Resource": "metric_alert"}


def _alert(level: str | None = None, **event: Any) -> dict[str, Any]:
    body = fixture(ALERT)
    if level is not None:
        body["data"]["event"]["level"] = level
        body["data"]["event"]["tags"] = [
            t if t[0] != "level" else ["level", level] for t in body["data"]["event"]["tags"]
        ]
    body["data"]["event"].update(event)
    return body


def _issue(level: str) -> dict[str, Any]:
    body = fixture(ISSUE)
    body["data"]["issue"]["level"] = level
    return body


def _metric(action: str, incident: str = "4", rule: str = "Too many errors") -> dict[str, Any]:
    """The docs' metric alert payload (metric-alerts.mdx), with the action and incident varied."""
    title = {"critical": "Critical", "warning": "Warning", "resolved": "Resolved"}[action]
    return {
        "action": action,
        "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
        "data": {
            "description_text": "1000 events in the last 10 minutes\\nFilter: level:error",
            "description_title": f"{title}: {rule}",
            "metric_alert": {
                "alert_rule": {
                    "aggregate": "count()",
                    "created_by": None,
                    "dataset": "events",
                    "date_created": "2020-09-13T12:26:40.000000Z",
                    "date_modified": "2020-09-13T12:26:40.000000Z",
                    "environment": None,
                    "id": "7",
                    "include_all_projects": False,
                    "name": rule,
                    "organization_id": "5",
                    "projects": ["bar"],
                    "query": "level:error",
                    "resolution": 1,
                    "resolve_threshold": None,
                    "status": 0,
                    "threshold_period": 1,
                    "threshold_type": 0,
                    "time_window": 10,
                    "triggers": [],
                },
                "date_closed": None,
                "date_created": "2020-09-13T12:26:40.000000Z",
                "date_detected": "2020-09-13T12:26:40.000000Z",
                "date_started": "2020-09-13T12:26:40.000000Z",
                "id": incident,
                "identifier": str(int(incident) - 3),
                "organization_id": "5",
                "projects": ["bar"],
                "status": 2 if action == "resolved" else 20,
                "status_method": 3,
                "title": "Sacred Marmot",
                "type": 2,
            },
            "web_url": f"https://sentry.io/organizations/baz/alerts/{incident}/",
        },
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
    }


def cases() -> tuple[list[Case], list[Relation]]:
    out = [
        Case(
            "sentry.fixture.event_alert",
            "sentry",
            fixture(ALERT),
            Expect("high", "1117540176", status="firing"),
            H_ALERT,
        ),
        Case(
            "sentry.fixture.issue_created",
            "sentry",
            fixture(ISSUE),
            Expect("high", "1635244907", "Exception: Custom exception!", status="firing"),
            H_ISSUE,
        ),
        Case(
            "sentry.fixture.issue_resolved",
            "sentry",
            fixture("sentry/issue.resolved.json"),
            Expect(
                "high", "1638821441", "Exception: program has entered an invalid state.", status="resolved"
            ),
            H_ISSUE,
        ),
    ]
    for level, sev in [
        ("fatal", "critical"),
        ("error", "high"),
        ("warning", "medium"),
        ("info", "low"),
        ("debug", "low"),
        ("log", "low"),
        ("FATAL", "critical"),
        ("Warning", "medium"),
    ]:
        out.append(
            Case(f"sentry.alert.level.{level}", "sentry", _alert(level), Expect(sev, "1117540176"), H_ALERT)
        )
    for level, sev in [("fatal", "critical"), ("warning", "medium"), ("info", "low")]:
        out.append(
            Case(f"sentry.issue.level.{level}", "sentry", _issue(level), Expect(sev, "1635244907"), H_ISSUE)
        )
    out += [
        Case(
            "sentry.metric.critical",
            "sentry",
            _metric("critical"),
            Expect("critical", alert_name="Too many errors", status="firing"),
            H_METRIC,
        ),
        Case(
            "sentry.metric.warning",
            "sentry",
            _metric("warning"),
            Expect("medium", alert_name="Too many errors", status="firing"),
            H_METRIC,
        ),
        Case(
            "sentry.metric.resolved",
            "sentry",
            _metric("resolved"),
            Expect(alert_name="Too many errors", status="resolved"),
            H_METRIC,
        ),
        Case(
            "sentry.metric.other_incident",
            "sentry",
            _metric("critical", "9"),
            Expect("critical", alert_name="Too many errors"),
            H_METRIC,
        ),
        Case(
            "sentry.metric.other_rule",
            "sentry",
            _metric("critical", "12", "Slow transactions"),
            Expect("critical", alert_name="Slow transactions"),
            H_METRIC,
        ),
    ]
    # Another event of the same issue: a new event id, time and message must not make a new alert.
    again = _alert(
        event_id="0f9e8d7c6b5a49382716f5e4d3c2b1a0",
        datetime="2019-08-19T22:10:00.000000Z",
        timestamp=1566252600.0,
        received=1566252600.0,
    )
    again["data"]["event"]["url"] = again["data"]["event"]["url"].replace(
        "e4874d664c3540c1a32eab185f12c5ab", "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
    )
    other = _alert()
    other["data"]["event"].update(
        issue_id="1117540999",
        issue_url="https://sentry.io/api/0/issues/1117540999/",
        title="TypeError: x is undefined",
    )
    out += [
        Case("sentry.id.same_issue_new_event", "sentry", again, Expect(external_id="1117540176"), H_ALERT),
        Case("sentry.id.other_issue", "sentry", other, Expect(external_id="1117540999"), H_ALERT),
    ]
    rel = [
        Relation(
            "sentry.rel.new_event", "sentry.fixture.event_alert", "sentry.id.same_issue_new_event", True, True
        ),
        Relation(
            "sentry.rel.other_issue", "sentry.fixture.event_alert", "sentry.id.other_issue", False, None
        ),
        Relation(
            "sentry.rel.metric_warn_crit", "sentry.metric.warning", "sentry.metric.critical", True, True
        ),
        Relation("sentry.rel.metric_resolve", "sentry.metric.critical", "sentry.metric.resolved", True, True),
        Relation(
            "sentry.rel.metric_other_incident",
            "sentry.metric.critical",
            "sentry.metric.other_incident",
            False,
            None,
        ),
        Relation(
            "sentry.rel.metric_other_rule", "sentry.metric.critical", "sentry.metric.other_rule", False, False
        ),
        Relation(
            "sentry.rel.issue_vs_metric", "sentry.metric.critical", "sentry.issue.level.fatal", False, False
        ),
    ]
    return out, rel
