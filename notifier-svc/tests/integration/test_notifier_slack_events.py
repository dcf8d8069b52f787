"""POST /slack/events through Bolt: signatures, button clicks -> rpc.incident.*, allow-lists, /em.

incident-svc is played by a small responder on the real bus (em_shared serve_rpc), which also
publishes the lifecycle event the real one would, so the message update is exercised end to end.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from em_shared.contracts.incidents import IncidentAction, IncidentRef
from em_shared.contracts.subjects import S
from em_shared.messaging.broker import create_broker, start_broker
from em_shared.messaging.errors import Conflict, NotFound
from em_shared.messaging.rpc import serve_rpc
from fake_slack import FakeSlack
from notifier_testkit import block_actions_body, changed, command_body, signed_headers, snapshot

FORM, JSON = "application/x-www-form-urlencoded", "application/json"


class IncidentDouble:
    """Answers rpc.incident.acknowledge/resolve/get like incident-svc and publishes the change."""

    def __init__(self, svc: Any) -> None:
        self.svc = svc
        self.actions: list[tuple[str, IncidentAction]] = []
        self.incident = snapshot()
        self.sequence = 1

    async def start(self, nats_url: str) -> None:
        self.broker = create_broker(nats_url, "incident-double")
        topology = self.svc.ctx.topology
        serve_rpc(
            self.broker, topology, "incident", "rpc.incident.acknowledge", IncidentAction, self.acknowledge
        )
        serve_rpc(self.broker, topology, "incident", "rpc.incident.resolve", IncidentAction, self.resolve)
        serve_rpc(self.broker, topology, "incident", "rpc.incident.get", IncidentRef, self.get)
        await start_broker(self.broker)

    async def acknowledge(self, action: IncidentAction) -> dict[str, Any]:
        return await self._change("acknowledge", "acknowledged", action)

    async def resolve(self, action: IncidentAction) -> dict[str, Any]:
        return await self._change("resolve", "resolved", action)

    async def _change(self, verb: str, state: str, action: IncidentAction) -> dict[str, Any]:
        self.actions.append((verb, action))
        if action.id != self.incident.id:
            raise NotFound(f"incident {action.id} not found")
        if self.incident.state == state:
            raise Conflict(f"incident is already {state}")
        previous = self.incident.state
        self.incident = snapshot(state=state)
        self.sequence += 1
        await self.svc.ctx.publisher.publish(
            S.incident(state),
            changed(
                state,
                self.incident,
                self.sequence,
                actor=action.actor,
                via=action.via,
                previous_state=previous,
            ),
        )
        return {"id": self.incident.id, "state": state}

    async def get(self, ref: IncidentRef) -> dict[str, Any]:
        if ref.id not in (self.incident.id, str(self.incident.number)):
            raise NotFound(f"incident {ref.id} not found")
        from msgspec import to_builtins

        return {"incident": to_builtins(self.incident), "timeline": []}


@pytest.fixture
async def running(notifier_factory, servers):
    async with notifier_factory() as svc:
        double = IncidentDouble(svc)
        await double.start(servers.nats_url)
        try:
            yield svc, double
        finally:
            await double.broker.stop()


async def _post(svc: Any, body: str, headers: dict[str, str]) -> Any:
    async with svc.client() as http:
        return await http.post("/slack/events", content=body, headers=headers)


async def test_acknowledge_click_acts_through_incident_svc_and_the_message_follows(
    running, fake_slack: FakeSlack
):
    svc, double = running
    await svc.ctx.publisher.publish(S.incident("opened"), changed("opened", double.incident, 1))
    await fake_slack.wait_for(lambda f: len(f.calls_of("chat.postMessage")) == 1)

    body = block_actions_body("incident_acknowledge", double.incident.id, user="U0ALICE")
    started = time.perf_counter()
    answer = await _post(svc, body, signed_headers(body))
    assert answer.status_code == 200
    assert time.perf_counter() - started < 3.0  # Slack's acknowledgement deadline

    await fake_slack.wait_for(lambda f: len(f.calls_of("chat.update")) == 1)
    verb, action = double.actions[0]
    assert verb == "acknowledge"
    assert (action.id, action.actor, action.via) == (double.incident.id, "slack:U0ALICE", "slack")
    ((_, message),) = fake_slack.messages.items()
    assert "[acknowledged]" in message["text"]
    await fake_slack.wait_for(
        lambda f: any(
            "Acknowledged by <@U0ALICE>" in c.params.get("text", "") for c in f.calls_of("chat.postMessage")
        )
    )

    # Resolving next: the card loses its action buttons but keeps View.
    body = block_actions_body("incident_resolve", double.incident.id, user="U0ALICE")
    assert (await _post(svc, body, signed_headers(body))).status_code == 200
    await fake_slack.wait_for(lambda f: len(f.calls_of("chat.update")) == 2)
    ((_, message),) = fake_slack.messages.items()
    assert [e["action_id"] for e in message["blocks"][-2]["elements"]] == ["incident_view"]


async def test_failed_action_answers_the_user_ephemerally(running, fake_slack: FakeSlack):
    svc, double = running
    body = block_actions_body("incident_acknowledge", "no-such-incident", user="U0ALICE")
    assert (await _post(svc, body, signed_headers(body))).status_code == 200
    await fake_slack.wait_for(lambda f: len(f.calls_of("chat.postEphemeral")) == 1)
    ephemeral = fake_slack.calls_of("chat.postEphemeral")[0].params
    assert ephemeral["user"] == "U0ALICE" and ephemeral["channel"] == "C0INC"
    assert "Could not acknowledge" in ephemeral["text"] and "not found" in ephemeral["text"]
    assert [(verb, a.id) for verb, a in double.actions] == [("acknowledge", "no-such-incident")]


async def test_forged_and_stale_requests_are_rejected_401(running, fake_slack: FakeSlack):
    svc, double = running
    body = block_actions_body("incident_acknowledge", double.incident.id)
    forged = signed_headers(body, secret="not-the-secret")
    stale = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    signed = signed_headers(body)
    tampered = body.replace("U0ALICE", "U0MALLORY")
    for headers, content in (
        (forged, body),
        (stale, body),
        (signed, body + "x"),
        (signed, tampered),
        ({"Content-Type": "application/x-www-form-urlencoded"}, body),
    ):
        answer = await _post(svc, content, headers)
        assert answer.status_code == 401, headers
    # Correctly signed but unparsable: a clear 400, never a 500.
    broken = "payload=%7Bnot-json"
    answer = await _post(svc, broken, signed_headers(broken))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid"
    await asyncio.sleep(0.3)
    assert double.actions == []
    assert fake_slack.calls_of("chat.postEphemeral") == []


def _form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


# Correctly signed bodies of shapes Slack never sends; each was a 500 before (Bolt read them as
# objects with the fields it matches on). (body, content type, what the 400 says).
MALFORMED_SIGNED = [
    ("payload=%5B%5D", FORM, "not a JSON object"),
    ("payload=null", FORM, "not a JSON object"),
    ("payload=1", FORM, "not a JSON object"),
    ("[]", JSON, "not a JSON object"),
    ('"text"', JSON, "not a JSON object"),
    (_form({"type": "block_actions", "actions": "x"}), FORM, "TypeError"),
    (_form({"type": "block_actions", "actions": [{}]}), FORM, "action_id"),
    ('{"type": "event_callback", "event": "x"}', JSON, "AttributeError"),
]


@pytest.mark.parametrize(("body", "content_type", "reason"), MALFORMED_SIGNED)
async def test_signed_payloads_of_the_wrong_shape_are_a_400_with_the_reason(
    running, body: str, content_type: str, reason: str
):
    svc, double = running
    answer = await _post(svc, body, {**signed_headers(body), "Content-Type": content_type})
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["error"] == "invalid" and "malformed Slack payload" in error["detail"]
    assert reason in error["detail"]
    assert double.actions == []


async def test_click_outside_the_allow_list_is_refused_ephemerally(running, fake_slack: FakeSlack):
    svc, double = running
    # C0LOCKED allows U0CAROL and the group S0ONCALL (whose member is U0BOB).
    body = block_actions_body(
        "incident_acknowledge", double.incident.id, user="U0MALLORY", channel="C0LOCKED"
    )
    assert (await _post(svc, body, signed_headers(body))).status_code == 200
    await fake_slack.wait_for(lambda f: len(f.calls_of("chat.postEphemeral")) == 1)
    refusal = fake_slack.calls_of("chat.postEphemeral")[0].params
    assert refusal["user"] == "U0MALLORY" and "allow-list" in refusal["text"]
    assert double.actions == []

    body = block_actions_body("incident_acknowledge", double.incident.id, user="U0BOB", channel="C0LOCKED")
    assert (await _post(svc, body, signed_headers(body))).status_code == 200
    deadline = time.monotonic() + 5
    while not double.actions and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert [(v, a.actor) for v, a in double.actions] == [("acknowledge", "slack:U0BOB")]
    assert len(fake_slack.calls_of("chat.postEphemeral")) == 1


async def test_slash_command_incident_and_help(running):
    svc, double = running
    body = command_body(f"incident {double.incident.number}")
    answer = await _post(svc, body, signed_headers(body))
    assert answer.status_code == 200
    reply = answer.json()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "SEV1 (critical) incident #42 [triggered]: Checkout error rate above 5%"
    assert reply["blocks"][1]["fields"][0] == {"type": "mrkdwn", "text": "*State:*\ntriggered"}

    body = command_body("help")
    reply = (await _post(svc, body, signed_headers(body))).json()
    assert "/em incident <id or number>" in reply["text"]

    body = command_body("incident 999")
    reply = (await _post(svc, body, signed_headers(body))).json()
    assert reply["text"] == ":warning: Incident `999`: incident 999 not found"

    body = command_body("frobnicate")
    reply = (await _post(svc, body, signed_headers(body))).json()
    assert reply["text"].startswith("Unknown command `frobnicate`.")
