"""PagerDuty v3 webhooks (developer docs "Webhooks v3 overview"; zulip's captured v3 deliveries).

Severity: `data.priority` is a priority_reference whose `summary` is the account's priority name
(P1..P5 by default; accounts rename them, e.g. SEV-1), null when the account has no priorities;
`data.urgency` is high | low. Priority wins over urgency. Identity: `data.id`, the incident, shared
by every event of the incident (triggered, acknowledged, priority_updated, resolved).
"""

from __future__ import annotations

from typing import Any

from .model import Case, Expect, Relation, fixture, headers_of

TRIGGERED = "pagerduty/incident.triggered.json"


def _with(base: str, **data: Any) -> dict[str, Any]:
    body = fixture(base)
    body["event"]["data"].update(data)
    return body


def _priority(summary: str, key: str = "summary") -> dict[str, str]:
    return {
        "id": "PSO4ABC",
        "type": "priority_reference",
        key: summary,
        "self": "https://api.pagerduty.com/priorities/PSO4ABC",
    }


def cases() -> tuple[list[Case], list[Relation]]:
    h = headers_of(TRIGGERED)
    out = [
        Case(
            "pd.fixture.triggered",
            "pagerduty",
            fixture(TRIGGERED),
            Expect("high", "PFQZPSY", "Test Incident 3", "pig208", "firing"),
            h,
        ),
        Case(
            "pd.fixture.acknowledged",
            "pagerduty",
            fixture("pagerduty/incident.acknowledged.json"),
            Expect("high", "PQ1K5C8", "Test Incident", "pig208", "firing"),
            h,
        ),
        Case(
            "pd.fixture.resolved",
            "pagerduty",
            fixture("pagerduty/incident.resolved.json"),
            Expect("high", "PCPZE64", "Test Incident", "pig208", "resolved"),
            h,
        ),
    ]
    for name, level in [("P1", "critical"), ("P2", "high"), ("P3", "medium"), ("P4", "low"), ("P5", "low")]:
        out.append(
            Case(
                f"pd.priority.{name}",
                "pagerduty",
                _with(TRIGGERED, priority=_priority(name)),
                Expect(level, "PFQZPSY"),
                h,
            )
        )
    # Accounts rename their priorities; lower case and SEV schemes are common.
    for i, (name, level) in enumerate(
        [
            ("p2", "high"),
            ("SEV-1", "critical"),
            ("Sev2", "high"),
            ("SEV 3", "medium"),
            ("sev4", "low"),
            ("P0", "critical"),
            ("Critical", "critical"),
            ("P3 - Moderate", "medium"),
        ]
    ):
        out.append(
            Case(
                f"pd.priority.custom{i}",
                "pagerduty",
                _with(TRIGGERED, priority=_priority(name)),
                Expect(level),
                h,
                note=name,
            )
        )
    out += [
        Case(
            "pd.priority.name_key",
            "pagerduty",
            _with(TRIGGERED, priority=_priority("P1", "name")),
            Expect("critical"),
            h,
            note="REST-style priority object with name, no summary",
        ),
        Case(
            "pd.priority.over_low_urgency",
            "pagerduty",
            _with(TRIGGERED, priority=_priority("P1"), urgency="low"),
            Expect("critical"),
            h,
        ),
        Case(
            "pd.priority.p4_over_high_urgency",
            "pagerduty",
            _with(TRIGGERED, priority=_priority("P4"), urgency="high"),
            Expect("low"),
            h,
        ),
        Case("pd.urgency.low", "pagerduty", _with(TRIGGERED, urgency="low"), Expect("low"), h),
        Case("pd.urgency.upper", "pagerduty", _with(TRIGGERED, urgency="LOW"), Expect("low"), h),
        Case(
            "pd.urgency.missing",
            "pagerduty",
            _missing_urgency(),
            Expect("medium", "PFQZPSY"),
            h,
            note="no priority, no urgency: the vendor default",
        ),
        Case(
            "pd.priority.empty_summary",
            "pagerduty",
            _with(TRIGGERED, priority=_priority("")),
            Expect("high"),
            h,
            note="empty priority name falls back to urgency high",
        ),
    ]
    # Identity: one incident's events.
    later = _with(TRIGGERED, priority=_priority("P1"))
    later["event"].update(
        id="01C0ZZZZZZZZZZZZZZZZZZZZZZ",
        event_type="incident.priority_updated",
        occurred_at="2021-06-04T14:05:29.781Z",
    )
    other = _with(
        TRIGGERED,
        id="PZZZ999",
        number=77,
        html_url="https://pig208.pagerduty.com/incidents/PZZZ999",
        self="https://api.pagerduty.com/incidents/PZZZ999",
    )
    other["event"]["id"] = "01C1AAAAAAAAAAAAAAAAAAAAAA"
    redelivery = fixture(TRIGGERED)
    redelivery["event"].update(id="01BZYIL05THJDFF2Y08X9SVXXX", occurred_at="2021-06-04T13:36:29.781Z")
    other_service = _with(
        TRIGGERED, id="PYYY888", service={"id": "PB0B0B0", "type": "service_reference", "summary": "billing"}
    )
    other_service["event"]["id"] = "01C2BBBBBBBBBBBBBBBBBBBBBB"
    out += [
        Case(
            "pd.id.priority_updated",
            "pagerduty",
            later,
            Expect("critical", "PFQZPSY", "Test Incident 3", "pig208"),
            h,
        ),
        Case(
            "pd.id.other_incident",
            "pagerduty",
            other,
            Expect(external_id="PZZZ999", alert_name="Test Incident 3"),
            h,
        ),
        Case("pd.id.redelivery", "pagerduty", redelivery, Expect(external_id="PFQZPSY"), h),
        Case("pd.id.other_service", "pagerduty", other_service, Expect(service="billing"), h),
    ]
    rel = [
        Relation("pd.rel.priority_update_same", "pd.fixture.triggered", "pd.id.priority_updated", True, True),
        Relation("pd.rel.redelivery_same", "pd.fixture.triggered", "pd.id.redelivery", True, True),
        Relation(
            "pd.rel.other_incident",
            "pd.fixture.triggered",
            "pd.id.other_incident",
            False,
            True,
            "same title and service: another incident of one problem group",
        ),
        Relation("pd.rel.other_service", "pd.fixture.triggered", "pd.id.other_service", False, False),
        Relation("pd.rel.ack_vs_trigger", "pd.fixture.triggered", "pd.fixture.acknowledged", False, False),
    ]
    return out, rel


def _missing_urgency() -> dict[str, Any]:
    body = fixture(TRIGGERED)
    body["event"]["data"].pop("urgency")
    return body
