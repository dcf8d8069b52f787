"""Block Kit builders: exact payloads per message kind (snapshots) and Slack's documented limits."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from em_shared.contracts.incidents import IncidentChanged
from notifier_svc.domain import limits
from notifier_svc.domain.blocks import (
    SlackMessage,
    direct_message,
    help_message,
    incident_message,
    incident_summary,
    thread_line,
)
from notifier_testkit import changed, snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"
VIEW = "https://em.example/incidents/42"
# Regenerate after a deliberate change: NOTIFIER_UPDATE_SNAPSHOTS=1 pytest ...; then review the diff.
UPDATE = os.environ.get("NOTIFIER_UPDATE_SNAPSHOTS") == "1"


def assert_snapshot(name: str, message: SlackMessage) -> None:
    actual = {"text": message.text, "blocks": message.blocks}
    path = SNAPSHOTS / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(path.read_text()), f"{name}: payload differs from {path.name}"
    assert limits.violations(message.text, message.blocks) == []


def _acked() -> IncidentChanged:
    return changed(
        "acknowledged",
        snapshot(state="acknowledged", assignee="slack:U0ALICE"),
        2,
        actor="slack:U0ALICE",
        via="slack",
        previous_state="triggered",
    )


def test_opened_snapshot_with_sev1_mention():
    event = changed("opened", snapshot(), 1)
    assert_snapshot("incident_opened", incident_message(event.incident, VIEW, "<!subteam^S0ONCALL>", event))


def test_acknowledged_snapshot_drops_the_acknowledge_button():
    event = _acked()
    message = incident_message(event.incident, VIEW, None, event)
    assert_snapshot("incident_acknowledged", message)
    actions = next(b for b in message.blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["incident_resolve", "incident_view"]


def test_resolved_snapshot_keeps_only_view():
    event = changed(
        "resolved",
        snapshot(state="resolved", summary=None, source_links=[], suspected_deployment_id=None),
        3,
        actor="api:oncall",
        via="api",
        previous_state="acknowledged",
    )
    message = incident_message(event.incident, VIEW, None, event)
    assert_snapshot("incident_resolved", message)
    actions = next(b for b in message.blocks if b["type"] == "actions")
    assert actions["elements"] == [
        {
            "type": "button",
            "action_id": "incident_view",
            "text": {"type": "plain_text", "text": "View", "emoji": True},
            "url": VIEW,
            "value": event.incident.id,
        }
    ]


def test_direct_message_snapshot():
    assert_snapshot("direct_message", direct_message("Your onboarding plan for *payments* is ready."))


def test_slash_summary_and_help_snapshots():
    assert_snapshot("slash_incident", incident_summary(snapshot(), VIEW))
    assert_snapshot("slash_help", help_message())


def test_thread_lines_per_change():
    assert thread_line(_acked()) == ":eyes: Acknowledged by <@U0ALICE> via slack (triggered → acknowledged)"
    sev = changed("severity_changed", snapshot(severity="high"), 4, actor="auto", via="auto")
    assert thread_line(sev) == ":arrow_up_down: Severity changed by auto via auto: now SEV2 (high)"
    odd = changed("renamed", snapshot(), 5)
    assert thread_line(odd) == ":information_source: Renamed"


def test_oversized_content_is_clipped_to_slack_limits():
    huge = snapshot(
        title="T" * 500,
        summary="S" * 10_000,
        service="s" * 3000,
        source_links=[f"https://x/{i}" for i in range(40)],
        suspected_deployment_id="d" * 4000,
    )
    event = changed("opened", huge, 1)
    message = incident_message(huge, "https://em.example/" + "p" * 2000, "<!subteam^S1>", event)
    assert limits.violations(message.text, message.blocks) == []
    header = message.blocks[0]["text"]["text"]
    assert len(header) == limits.MAX_HEADER_TEXT and header.endswith("…")
    assert "and 35 more" in json.dumps(message.blocks)
    assert limits.violations(*_as_args(direct_message("x" * 50_000))) == []


def _as_args(message: SlackMessage) -> tuple[str, list[dict[str, Any]]]:
    return message.text, message.blocks


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "divider"}] * 51, "blocks: 51 > 50"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "text: 151 > 150 characters",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "header text must be plain_text"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}],
            "text: 3001 > 3000 characters",
        ),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "fields: 11 > 10"),
        (
            [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
            "fields[0]: 2001 > 2000 characters",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
                    ],
                }
            ],
            "elements[0].text: 76 > 75 characters",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "b"},
                            "action_id": "a" * 256,
                        }
                    ],
                }
            ],
            "elements[0].action_id: 256 > 255 characters",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "b"}, "value": "v" * 2001}
                    ],
                }
            ],
            "elements[0].value: 2001 > 2000 characters",
        ),
        ([{"type": "actions", "elements": []}], "elements: 0 not in 1..25"),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "elements: 11 not in 1..10",
        ),
        ([{"type": "divider", "block_id": "b" * 256}], "block_id: 256 > 255 characters"),
        ([{"type": "carousel"}], "unknown block type 'carousel'"),
    ],
)
def test_limit_checker_catches_each_documented_limit(blocks, expected):
    found = limits.violations("fallback", blocks)
    assert any(expected in v for v in found), found


def test_limit_checker_catches_long_fallback_text():
    assert limits.violations("t" * 40_001, []) == ["text: 40001 > 40000 characters"]
