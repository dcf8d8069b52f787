"""Helpers of notifier-svc tests: incident events, Slack's v0 signature, interaction payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
OPENED_AT = datetime(2025, 3, 4, 10, 15, tzinfo=UTC)


def snapshot(
    number: int = 42, state: str = "triggered", severity: str = "critical", **kw: Any
) -> IncidentSnapshot:
    fields: dict[str, Any] = {
        "id": deterministic_id("incident", number),
        "number": number,
        "title": "Checkout error rate above 5%",
        "state": state,
        "severity": severity,
        "service": "checkout",
        "team": "payments",
        "environment": "production",
        "opened_at": OPENED_AT,
        "source_links": ["https://grafana.example/d/checkout", "https://pagerduty.example/incidents/PX1"],
        "alert_count": 3,
        "suspected_deployment_id": "deploy-checkout-1.4.2",
        "summary": "5xx on /pay since the 10:12 deploy.",
    }
    fields.update(kw)
    return IncidentSnapshot(**fields)


def changed(
    change: str,
    incident: IncidentSnapshot,
    sequence: int,
    actor: str | None = None,
    via: str | None = None,
    previous_state: str | None = None,
) -> IncidentChanged:
    return IncidentChanged(
        id=deterministic_id("incident.changed", incident.id, sequence),
        occurred_at=datetime(2025, 3, 4, 10, 15 + sequence, tzinfo=UTC),
        source="incident",
        change=change,
        incident=incident,
        sequence=sequence,
        actor=actor,
        via=via,
        previous_state=previous_state,
    )


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature, computed by hand (not with the SDK) so the test is independent of it."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def block_actions_body(
    action_id: str, value: str, user: str = "U0ALICE", channel: str = "C0INC", channel_name: str = "incidents"
) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKE", "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0FAKE"},
        "api_app_id": "A0EMAGENT",
        "token": "legacy-verification-token",
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": channel},
        "channel": {"id": channel, "name": channel_name},
        "response_url": "https://hooks.slack.test/actions/T0FAKE/1/xyz",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "incident_actions",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def command_body(text: str, user: str = "U0ALICE") -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0FAKE",
            "team_domain": "fake",
            "channel_id": "C0INC",
            "channel_name": "incidents",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/em",
            "text": text,
            "api_app_id": "A0EMAGENT",
            "response_url": "https://hooks.slack.test/commands/1",
            "trigger_id": "1.2.3",
        }
    )
