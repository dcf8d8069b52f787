"""End to end: an Alertmanager webhook into ingest-svc becomes an incident in incident-svc, a Slack
message from notifier-svc (fake Slack over HTTP), and a click on Acknowledge in that message
acknowledges the incident in incident-svc and updates the message in place.

Real ingest-svc, incident-svc and notifier-svc in one process (each on its own port, one namespace),
real NATS, PostgreSQL, slack_sdk and slack_bolt; only Slack itself is faked, at the wire level.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from incident_svc.app import create_service as create_incident
from incident_svc.settings import IncidentSettings
from ingest_svc.app import create_service as create_ingest
from ingest_svc.settings import IngestSettings
from notifier_svc.app import create_service as create_notifier
from notifier_svc.settings import NotifierSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "notifier-svc" / "tests"))
from fake_slack import FakeSlack
from notifier_testkit import SIGNING_SECRET, TOKEN, block_actions_body, signed_headers

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]
AM_TOKEN = "am-e2e-token"


def alertmanager_body(name: str) -> dict[str, Any]:
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    labels = {"alertname": name, "severity": "critical", "service": "checkout", "team": "payments"}
    return {
        "receiver": "em-agent",
        "status": "firing",
        "groupLabels": {"alertname": name},
        "commonLabels": labels,
        "commonAnnotations": {"summary": f"{name} on checkout"},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": f"{name} on checkout"},
                "startsAt": started,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
                "fingerprint": uuid.uuid4().hex[:16],
            }
        ],
    }


async def test_alert_to_slack_message_to_acknowledge_click(servers, namespace, tmp_path):
    secrets = tmp_path / "webhook-secrets.yaml"
    secrets.write_text(f"alertmanager: {AM_TOKEN}\n")
    common = {"nats_url": servers.nats_url, "database_url": servers.database_url, "namespace": namespace}
    ingest_settings = load_settings(IngestSettings, {}, webhook_secrets_file=str(secrets), **common)
    incident_settings = load_settings(IncidentSettings, {}, **common)

    async with FakeSlack(token=TOKEN) as fake:
        notifier_settings = load_settings(
            NotifierSettings,
            {},
            slack_bot_token=TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            slack_default_channel="#incidents",
            **common,
        )
        async with (
            live_service(create_ingest(ingest_settings), ingest_settings) as ingest,
            live_service(create_incident(incident_settings), incident_settings) as incident,
            live_service(create_notifier(notifier_settings), notifier_settings) as notifier,
        ):
            name = f"CheckoutErrors{uuid.uuid4().hex[:6]}"
            started = time.perf_counter()
            async with ingest.client() as http:
                answer = await http.post(
                    "/webhooks/alertmanager",
                    json=alertmanager_body(name),
                    headers={"Authorization": f"Bearer {AM_TOKEN}"},
                )
            assert answer.status_code == 200, answer.text

            # The incident's message reaches Slack, with its buttons, well inside the 30 s the seed asks.
            await fake.wait_for(lambda f: len(f.calls_of("chat.postMessage")) >= 1, timeout=30)
            took = time.perf_counter() - started
            post = fake.calls_of("chat.postMessage")[0].params
            assert post["channel"] == "#incidents"
            assert name in post["text"] and "[triggered]" in post["text"]
            buttons = {e["action_id"]: e for e in post["blocks"][-1]["elements"]}
            assert set(buttons) == {"incident_acknowledge", "incident_resolve", "incident_view"}
            incident_id = buttons["incident_acknowledge"]["value"]
            assert took < 30

            # The on-call engineer clicks Acknowledge in Slack; Slack posts the signed interaction.
            body = block_actions_body("incident_acknowledge", incident_id, user="U0ONCALL")
            async with notifier.client() as http:
                click = await http.post("/slack/events", content=body, headers=signed_headers(body))
            assert click.status_code == 200

            await fake.wait_for(lambda f: len(f.calls_of("chat.update")) >= 1, timeout=15)
            detail = await incident.ctx.rpc.call("rpc.incident.get", {"id": incident_id}, dict)
            assert detail["incident"]["state"] == "acknowledged"
            # incident-svc recorded who acted, and through which channel.
            assert any(
                e.get("actor") == "slack:U0ONCALL" and e.get("via") == "slack" for e in detail["timeline"]
            )
            ((_, message),) = fake.messages.items()
            assert "[acknowledged]" in message["text"]
            actions = next(b for b in message["blocks"] if b["type"] == "actions")
            assert [e["action_id"] for e in actions["elements"]] == ["incident_resolve", "incident_view"]
            await fake.wait_for(
                lambda f: any(
                    "Acknowledged by <@U0ONCALL>" in c.params.get("text", "")
                    for c in f.calls_of("chat.postMessage")
                ),
                timeout=10,
            )
