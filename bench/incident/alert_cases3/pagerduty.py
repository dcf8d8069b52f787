"""PagerDuty v3 webhooks built from the real `incident.triggered.json` fixture (zulip's captured
delivery). Edits: `data.priority` set to a priority reference (`{"id", "type": "priority_reference",
"summary": <name>}`, as v3 sends it when the account has priorities) with the names real accounts use
(P1-P5, renamed `SEV-1`, `P2 - High`, `Critical`...), `urgency` high/low, the event type
(`incident.priority_updated`, `incident.escalated`, `incident.reopened`, `incident.resolved`), a new
incident id, title and service per case. Expected severity: docs/incidents.md "Severity" (priority
name first, else urgency)."""

from __future__ import annotations

import zlib
from typing import Any

from alert_cases.model import Case, Expect, Relation, fixture, headers_of

FX = "pagerduty/incident.triggered.json"
H = headers_of(FX)


def incident(
    inc: str,
    *,
    priority: str | None = None,
    urgency: str | None = "high",
    event_type: str = "incident.triggered",
    title: str = "Checkout 5xx above SLO",
    service: str = "checkout-api",
    status: str | None = None,
) -> dict[str, Any]:
    body = fixture(FX)
    ev = body["event"]
    ev["event_type"] = event_type
    ev["id"] = f"01EV{inc}{zlib.crc32(f'{event_type}{priority}{urgency}'.encode()):08X}"
    d = ev["data"]
    d["id"] = inc
    d["self"] = f"https://api.pagerduty.com/incidents/{inc}"
    d["html_url"] = f"https://pig208.pagerduty.com/incidents/{inc}"
    d["title"] = title
    d["service"]["summary"] = service
    d["status"] = status or {"incident.resolved": "resolved", "incident.acknowledged": "acknowledged"}.get(
        event_type, "triggered"
    )
    d["urgency"] = urgency
    if urgency is None:
        d.pop("urgency")
    d["priority"] = (
        None
        if priority is None
        else {
            "html_url": "https://pig208.pagerduty.com/account/incident_priorities",
            "id": f"PQ{zlib.crc32(priority.encode()) % 10**5:05d}",
            "self": "https://api.pagerduty.com/priorities/PQ1",
            "summary": priority,
            "type": "priority_reference",
        }
    )
    return body


def pd(cid: str, body: dict[str, Any], sev: str | None, note: str = "", **kw: Any) -> Case:
    d = body["event"]["data"]
    status = "resolved" if d["status"] == "resolved" else "firing"
    return Case(
        cid,
        "pagerduty",
        body,
        Expect(sev, d["id"], d["title"], d["service"]["summary"], status),
        H,
        note=note,
    )


def cases() -> tuple[list[Case], list[Relation]]:
    c = [
        pd("pd3.p1", incident("Q1AAA01", priority="P1"), "critical"),
        pd("pd3.p2", incident("Q1AAA02", priority="P2"), "high"),
        pd("pd3.p3", incident("Q1AAA03", priority="P3"), "medium"),
        pd("pd3.p4", incident("Q1AAA04", priority="P4", urgency="low"), "low"),
        pd("pd3.p5", incident("Q1AAA05", priority="P5", urgency="low"), "low"),
        pd(
            "pd3.p1_low_urgency",
            incident("Q1AAA06", priority="P1", urgency="low"),
            "critical",
            "priority before urgency",
        ),
        pd(
            "pd3.p4_high_urgency",
            incident("Q1AAA07", priority="P4", urgency="high"),
            "low",
            "priority before urgency",
        ),
        pd("pd3.sev_dash_1", incident("Q1AAA08", priority="SEV-1"), "critical"),
        pd("pd3.sev2_space", incident("Q1AAA09", priority="Sev 2"), "high"),
        pd("pd3.p2_dash_high", incident("Q1AAA10", priority="P2 - High"), "high"),
        pd("pd3.p3_paren", incident("Q1AAA11", priority="P3 (Moderate)"), "medium"),
        pd("pd3.name_critical", incident("Q1AAA12", priority="Critical"), "critical"),
        pd("pd3.name_major", incident("Q1AAA13", priority="Major"), "high"),
        pd("pd3.name_minor", incident("Q1AAA14", priority="Minor", urgency="low"), "medium"),
        pd("pd3.sev0", incident("Q1AAA15", priority="SEV0"), "critical"),
        pd("pd3.urgency_high", incident("Q1AAA16"), "high"),
        pd("pd3.urgency_low", incident("Q1AAA17", urgency="low"), "low"),
        pd(
            "pd3.priority_updated_p1",
            incident("Q1AAA18", priority="P1", event_type="incident.priority_updated"),
            "critical",
            "priority_updated carries the incident with its new priority",
        ),
        pd(
            "pd3.priority_updated_p4",
            incident("Q1AAA18", priority="P4", event_type="incident.priority_updated"),
            "low",
        ),
        pd("pd3.escalated_p2", incident("Q1AAA19", priority="P2", event_type="incident.escalated"), "high"),
        pd("pd3.reopened_p3", incident("Q1AAA20", priority="P3", event_type="incident.reopened"), "medium"),
        pd("pd3.resolved_p1", incident("Q1AAA01", priority="P1", event_type="incident.resolved"), None),
        pd("pd3.p1_lower", incident("Q1AAA21", priority="p1"), "critical"),
        pd("pd3.sev1_word", incident("Q1AAA22", priority="SEV1 - Critical"), "critical"),
    ]
    r = [
        Relation("pd3.r.trig_resolved", "pd3.p1", "pd3.resolved_p1", True, True),
        Relation("pd3.r.prio_updates", "pd3.priority_updated_p1", "pd3.priority_updated_p4", True, True),
        Relation("pd3.r.diff", "pd3.p1", "pd3.p2", False, True),
    ]
    return c, r
