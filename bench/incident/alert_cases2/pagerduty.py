"""PagerDuty Webhooks v3 (developer.pagerduty.com, "Webhooks v3 overview", event types and the
incident resource): one envelope `{"event": {id, event_type, resource_type, occurred_at, agent,
data}}` per event; `data` is the incident with `status`, `priority` (a reference whose `summary` is
the account's own priority name, or null), `urgency`, `service` (`summary` = service name).
Identity is the incident id across triggered/acknowledged/priority_updated/resolved/reopened."""

from __future__ import annotations

from typing import Any

from alert_cases.model import NO_SERVICE, Case, Expect, Relation

H = {"Content-Type": "application/json", "User-Agent": "PagerDuty-Webhook/V3.0"}
_seq = [0]


def _event_id() -> str:
    _seq[0] += 1
    return f"01DEV{_seq[0]:021d}"


def incident(
    event_type: str,
    inc_id: str,
    title: str,
    *,
    status: str = "triggered",
    priority: str | None = None,
    urgency: str = "high",
    service: str | None = "Checkout API",
    priority_key: str = "summary",
) -> dict[str, Any]:
    prio = None
    if priority is not None:
        prio = {
            "html_url": "https://acme.pagerduty.com/account/incident_priorities",
            "id": "PSO75BM",
            "self": "https://api.pagerduty.com/priorities/PSO75BM",
            "type": "priority_reference",
            priority_key: priority,
        }
    data: dict[str, Any] = {
        "id": inc_id,
        "type": "incident",
        "self": f"https://api.pagerduty.com/incidents/{inc_id}",
        "html_url": f"https://acme.pagerduty.com/incidents/{inc_id}",
        "number": 41,
        "status": status,
        "incident_key": f"key-{inc_id.lower()}",
        "created_at": "2024-06-01T10:00:00Z",
        "title": title,
        "assignees": [],
        "escalation_policy": {"id": "PR2P3RN", "summary": "Default", "type": "escalation_policy_reference"},
        "teams": [{"id": "PFCVPS0", "summary": "Payments", "type": "team_reference"}],
        "priority": prio,
        "urgency": urgency,
        "conference_bridge": None,
        "resolve_reason": None,
    }
    if service is not None:
        data["service"] = {
            "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
            "id": "PF9KMXH",
            "self": "https://api.pagerduty.com/services/PF9KMXH",
            "summary": service,
            "type": "service_reference",
        }
    return {
        "event": {
            "id": _event_id(),
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": "2024-06-01T10:05:00.000Z",
            "agent": {"id": "PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
            "client": None,
            "data": data,
        }
    }


def cases() -> tuple[list[Case], list[Relation]]:
    t1 = "Checkout latency p99 above 2s"
    c = [
        Case(
            "pd2.trig.p1",
            "pagerduty",
            incident("incident.triggered", "Q1ABC01", t1, priority="P1"),
            Expect("critical", "Q1ABC01", t1, "Checkout API", "firing"),
            H,
        ),
        Case(
            "pd2.ack.p1",
            "pagerduty",
            incident("incident.acknowledged", "Q1ABC01", t1, status="acknowledged", priority="P1"),
            Expect("critical", "Q1ABC01", t1, "Checkout API", "firing"),
            H,
            note="acknowledged is still a live problem",
        ),
        Case(
            "pd2.prio_up.p1",
            "pagerduty",
            incident("incident.priority_updated", "Q1ABC01", t1, status="acknowledged", priority="SEV-1"),
            Expect("critical", "Q1ABC01", t1, "Checkout API", "firing"),
            H,
            note="renamed priority scheme SEV-1",
        ),
        Case(
            "pd2.res.p1",
            "pagerduty",
            incident("incident.resolved", "Q1ABC01", t1, status="resolved", priority="P1"),
            Expect(None, "Q1ABC01", t1, "Checkout API", "resolved"),
            H,
        ),
        Case(
            "pd2.reopen",
            "pagerduty",
            incident("incident.reopened", "Q1ABC01", t1, status="triggered", priority="P1"),
            Expect("critical", "Q1ABC01", t1, "Checkout API", "firing"),
            H,
        ),
        Case(
            "pd2.trig.urg_low",
            "pagerduty",
            incident("incident.triggered", "Q2LOW02", "Nightly report job slow", urgency="low"),
            Expect("low", "Q2LOW02", "Nightly report job slow", "Checkout API", "firing"),
            H,
            note="no priority: urgency low",
        ),
        Case(
            "pd2.trig.urg_high",
            "pagerduty",
            incident("incident.triggered", "Q3HIG03", "Card auth failures", urgency="high"),
            Expect("high", "Q3HIG03", "Card auth failures", "Checkout API", "firing"),
            H,
        ),
        Case(
            "pd2.trig.p3_moderate",
            "pagerduty",
            incident(
                "incident.triggered",
                "Q4MOD04",
                "Queue depth rising",
                priority="P3 - Moderate",
                urgency="high",
            ),
            Expect("medium", "Q4MOD04", service="Checkout API", status="firing"),
            H,
            note="priority beats urgency",
        ),
        Case(
            "pd2.trig.sev2_name",
            "pagerduty",
            incident(
                "incident.triggered",
                "Q5SEV05",
                "DB replica lag",
                priority="Sev 2",
                priority_key="name",
                service="Orders DB",
            ),
            Expect("high", "Q5SEV05", "DB replica lag", "Orders DB", "firing"),
            H,
            note="priority reference carrying `name` rather than `summary`",
        ),
        Case(
            "pd2.trig.p4",
            "pagerduty",
            incident("incident.triggered", "Q6P4006", "Disk 80% on batch-3", priority="P4", urgency="high"),
            Expect("low", "Q6P4006", status="firing"),
            H,
        ),
        Case(
            "pd2.unack",
            "pagerduty",
            incident("incident.unacknowledged", "Q3HIG03", "Card auth failures", urgency="high"),
            Expect("high", "Q3HIG03", status="firing"),
            H,
        ),
        Case(
            "pd2.escalated",
            "pagerduty",
            incident("incident.escalated", "Q3HIG03", "Card auth failures", urgency="high"),
            Expect("high", "Q3HIG03", status="firing"),
            H,
        ),
        Case(
            "pd2.trig.same_title_other",
            "pagerduty",
            incident("incident.triggered", "Q7DUP07", t1, priority="P2"),
            Expect("high", "Q7DUP07", t1, "Checkout API", "firing"),
            H,
            note="a second incident with the same title on the same service",
        ),
        Case(
            "pd2.res.low",
            "pagerduty",
            incident(
                "incident.resolved", "Q2LOW02", "Nightly report job slow", status="resolved", urgency="low"
            ),
            Expect(None, "Q2LOW02", status="resolved", service="Checkout API"),
            H,
        ),
        Case(
            "pd2.trig.noservice",
            "pagerduty",
            incident(
                "incident.triggered", "Q8NOS08", "Manual page: VIP customer", priority="P2", service=None
            ),
            Expect("high", "Q8NOS08", status="firing", service=NO_SERVICE),
            H,
        ),
    ]
    r = [
        Relation("pd2.r.trig_ack", "pd2.trig.p1", "pd2.ack.p1", True, True),
        Relation("pd2.r.trig_res", "pd2.trig.p1", "pd2.res.p1", True, True),
        Relation("pd2.r.prio_reopen", "pd2.prio_up.p1", "pd2.reopen", True, True),
        Relation("pd2.r.diff_incidents", "pd2.trig.p1", "pd2.trig.urg_high", False, False),
        Relation(
            "pd2.r.same_title",
            "pd2.trig.p1",
            "pd2.trig.same_title_other",
            False,
            True,
            note="default grouping is service + alert name",
        ),
        Relation("pd2.r.unack_esc", "pd2.unack", "pd2.escalated", True, True),
        Relation("pd2.r.low_trig_res", "pd2.trig.urg_low", "pd2.res.low", True, True),
    ]
    return c, r
