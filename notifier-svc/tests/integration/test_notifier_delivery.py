"""Incident events -> Slack messages through the real service, NATS, PostgreSQL, slack_sdk and the fake Slack."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import msgspec
from em_shared.contracts.notifications import NotificationDeadLettered
from em_shared.contracts.subjects import S
from fake_slack import FakeSlack
from notifier_svc.domain.blocks import incident_message
from notifier_testkit import changed, snapshot


async def _posts(fake: FakeSlack, n: int, timeout: float = 10.0) -> None:
    await fake.wait_for(lambda f: len(f.calls_of("chat.postMessage")) >= n, timeout)


async def test_opened_posts_one_message_with_buttons_and_redelivery_never_posts_twice(
    notifier_factory, fake_slack
):
    incident = snapshot()
    opened = changed("opened", incident, 1)
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), opened)
        await _posts(fake_slack, 1)
        post = fake_slack.calls_of("chat.postMessage")[0]
        expected = incident_message(
            incident, f"http://127.0.0.1:8001/v1/incidents/{incident.id}", "<!subteam^S0ONCALL>", opened
        )
        assert post.params["channel"] == "#incidents"
        assert post.params["text"] == expected.text
        assert post.params["blocks"] == expected.blocks
        assert [b["action_id"] for b in post.params["blocks"][-1]["elements"]] == [
            "incident_acknowledge",
            "incident_resolve",
            "incident_view",
        ]

        # A redelivery past JetStream's duplicate window: same event id, no Nats-Msg-Id to stop it.
        js = svc.ctx.broker.connection.jetstream()
        await js.publish(svc.ctx.topology.subject(S.incident("opened")), msgspec.json.encode(opened))
        await asyncio.sleep(0.6)
        assert len(fake_slack.calls_of("chat.postMessage")) == 1
        async with svc.client() as http:
            row = (await http.get(f"/v1/deliveries/{opened.id}")).json()
        assert row["status"] == "delivered"
        assert row["channel"] == fake_slack.channel_id("#incidents")
        assert row["ts"] == post_ts(fake_slack)


def post_ts(fake: FakeSlack) -> str:
    return next(iter(fake.messages))[1]


async def test_later_changes_update_the_message_in_place_and_thread_a_line(notifier_factory, fake_slack):
    incident = snapshot(number=7, severity="medium", service="billing")
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), changed("opened", incident, 1))
        await _posts(fake_slack, 1)
        acked = snapshot(number=7, severity="medium", service="billing", state="acknowledged")
        await svc.ctx.publisher.publish(
            S.incident("acknowledged"),
            changed("acknowledged", acked, 2, actor="slack:U0ALICE", via="slack", previous_state="triggered"),
        )
        await fake_slack.wait_for(
            lambda f: len(f.calls_of("chat.update")) == 1 and len(f.calls_of("chat.postMessage")) == 2
        )
        channel = fake_slack.channel_id("#billing-incidents")
        ts = fake_slack.calls_of("chat.postMessage")[0].params
        update = fake_slack.calls_of("chat.update")[0].params
        ((key, message),) = fake_slack.messages.items()
        assert key[0] == channel and update["channel"] == channel and update["ts"] == key[1]
        assert message["text"].startswith("SEV3 (medium) incident #7 [acknowledged]")
        # Acknowledged: the Acknowledge button is gone, Resolve and View remain.
        assert [e["action_id"] for e in message["blocks"][-2]["elements"]] == [
            "incident_resolve",
            "incident_view",
        ]
        thread = fake_slack.calls_of("chat.postMessage")[1].params
        assert thread["thread_ts"] == key[1] and thread["channel"] == channel
        assert thread["text"] == ":eyes: Acknowledged by <@U0ALICE> via slack (triggered → acknowledged)"
        assert ts["channel"] == "#billing-incidents"
        # No mention for a SEV3.
        assert "subteam" not in json.dumps(message["blocks"])


async def test_429_waits_for_retry_after_then_delivers(notifier_factory, fake_slack):
    fake_slack.fail("chat.postMessage", 429, times=1, retry_after=1)
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), changed("opened", snapshot(number=9), 1))
        await _posts(fake_slack, 1)
    limited, ok = [c for c in fake_slack.calls if c.method == "chat.postMessage"]
    assert limited.status == 429 and ok.status == 200
    assert ok.at - limited.answered_at >= 0.99


async def test_5xx_is_retried_with_backoff_then_delivered(notifier_factory, fake_slack):
    fake_slack.fail("chat.postMessage", 500, times=2)
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), changed("opened", snapshot(number=10), 1))
        await _posts(fake_slack, 1)
        statuses = [c.status for c in fake_slack.calls if c.method == "chat.postMessage"]
        assert statuses == [500, 500, 200]


async def test_network_errors_are_retried_then_delivered(notifier_factory, fake_slack):
    fake_slack.fail("chat.postMessage", 0, times=2)
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), changed("opened", snapshot(number=15), 1))
        await _posts(fake_slack, 1)
    assert [c.status for c in fake_slack.calls if c.method == "chat.postMessage"] == [0, 0, 200]


async def test_persistent_failure_dead_letters_with_record_event_and_replay(
    notifier_factory, fake_slack, nc, namespace
):
    fake_slack.fail("chat.postMessage", 503, times=3)
    event = changed("opened", snapshot(number=11), 1)
    dead_letters: list[NotificationDeadLettered] = []

    async def collect(msg):
        dead_letters.append(msgspec.json.decode(msg.data, type=NotificationDeadLettered))

    sub = await nc.subscribe(f"{namespace}.{S.NOTIFY_DEAD_LETTERED}", cb=collect)
    async with notifier_factory(max_attempts=3) as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), event)
        deadline = time.monotonic() + 10
        while not dead_letters and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert len(dead_letters) == 1
        dl = dead_letters[0]
        assert (dl.event_id, dl.method, dl.attempts, dl.channel) == (
            event.id,
            "chat.postMessage",
            3,
            "#incidents",
        )
        assert "status 503" in dl.error
        async with svc.client() as http:
            rows = (await http.get("/v1/deliveries", params={"status": "dead_lettered"})).json()
            assert [r["event_id"] for r in rows] == [event.id]
            assert rows[0]["failed_method"] == "chat.postMessage"
            assert fake_slack.calls_of("chat.postMessage") == []
            # The fault is gone (3 failures consumed): an operator replays the dead letter.
            replay = await http.post(f"/v1/deliveries/{event.id}/replay")
            assert replay.status_code == 202
            await _posts(fake_slack, 1)
            await asyncio.sleep(0.1)
            assert (await http.get(f"/v1/deliveries/{event.id}")).json()["status"] == "delivered"
            assert (await http.post(f"/v1/deliveries/{event.id}/replay")).status_code == 404
            assert (await http.get("/v1/deliveries", params={"status": "nope"})).status_code == 400
    await sub.unsubscribe()


async def test_permanent_slack_error_dead_letters_without_retrying(notifier_factory, fake_slack):
    event = changed("opened", snapshot(number=12), 1)
    async with notifier_factory(slack_bot_token="xoxb-revoked") as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), event)
        await fake_slack.wait_for(lambda f: len(f.calls) >= 1)
        await asyncio.sleep(0.3)
        async with svc.client() as http:
            row = (await http.get(f"/v1/deliveries/{event.id}")).json()
    assert row["status"] == "dead_lettered" and "invalid_auth" in row["last_error"]
    assert len(fake_slack.calls) == 1


async def test_channel_pacing_queues_messages_instead_of_failing(notifier_factory, fake_slack):
    async with notifier_factory(channel_rate_per_s=5.0, channel_burst=1) as svc:
        for n in range(4):
            await svc.ctx.publisher.publish(
                S.incident("opened"), changed("opened", snapshot(number=100 + n), 1)
            )
        await _posts(fake_slack, 4)
    times = [c.at for c in fake_slack.calls_of("chat.postMessage")]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(g >= 0.18 for g in gaps), gaps


async def test_direct_messages_by_user_id_and_by_email(notifier_factory, fake_slack):
    from em_shared.contracts.base import deterministic_id, utcnow
    from em_shared.contracts.notifications import DirectMessageRequested

    by_id = DirectMessageRequested(
        id=deterministic_id("dm", 1),
        occurred_at=utcnow(),
        source="okr",
        text="Your onboarding plan is ready.",
        user_id="U0EVE",
    )
    by_email = DirectMessageRequested(
        id=deterministic_id("dm", 2),
        occurred_at=utcnow(),
        source="okr",
        text="Weekly digest",
        email="dana@example.com",
    )
    unknown = DirectMessageRequested(
        id=deterministic_id("dm", 3),
        occurred_at=utcnow(),
        source="okr",
        text="hello",
        email="nobody@example.com",
    )
    async with notifier_factory() as svc:
        for event in (by_id, by_email, unknown):
            await svc.ctx.publisher.publish(S.DM_REQUESTED, event)
        await _posts(fake_slack, 2)
        await fake_slack.wait_for(
            lambda f: len([c for c in f.calls if c.method == "users.lookupByEmail"]) == 2
        )
        await asyncio.sleep(0.2)
        async with svc.client() as http:
            unknown_row = (await http.get(f"/v1/deliveries/{unknown.id}")).json()
    posts = {c.params["channel"]: c.params for c in fake_slack.calls_of("chat.postMessage")}
    assert set(posts) == {"D0EVE", "D0DANA"}
    assert posts["D0EVE"]["text"] == "Your onboarding plan is ready."
    assert posts["D0DANA"]["blocks"] == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Weekly digest"}}
    ]
    assert unknown_row["status"] == "dead_lettered" and "users_not_found" in unknown_row["last_error"]


async def test_delivery_interrupted_by_shutdown_is_resumed_at_next_start(notifier_factory, fake_slack):
    # Slack keeps failing while the service stops: the delivery must survive the restart, not vanish.
    fake_slack.fail("chat.postMessage", 500, times=1000)
    event = changed("opened", snapshot(number=13), 1)
    async with notifier_factory(max_attempts=1000, retry_base_s=0.05, retry_max_s=0.05) as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), event)
        await fake_slack.wait_for(lambda f: len(f.calls) >= 3)
    fake_slack.heal()
    assert fake_slack.calls_of("chat.postMessage") == []
    async with notifier_factory() as svc:
        await _posts(fake_slack, 1)
        await asyncio.sleep(0.3)
        async with svc.client() as http:
            assert (await http.get(f"/v1/deliveries/{event.id}")).json()["status"] == "delivered"
    assert len(fake_slack.calls_of("chat.postMessage")) == 1


async def test_without_slack_credentials_events_are_kept_pending_and_interactivity_is_503(
    notifier_factory, fake_slack
):
    event = changed("opened", snapshot(number=14), 1)
    async with notifier_factory(slack_bot_token="", slack_signing_secret="") as svc:
        await svc.ctx.publisher.publish(S.incident("opened"), event)
        async with svc.client() as http:
            for _ in range(100):
                row = await http.get(f"/v1/deliveries/{event.id}")
                if row.status_code == 200:
                    break
                await asyncio.sleep(0.05)
            assert row.json()["status"] == "pending"
            events = await http.post(
                "/slack/events",
                content="payload=%7B%7D",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert events.status_code == 503 and "SLACK_BOT_TOKEN" in events.json()["detail"]
    assert fake_slack.calls == []
    # Configured again: the pending delivery goes out at startup.
    async with notifier_factory():
        await _posts(fake_slack, 1)


async def test_out_of_order_changes_never_make_a_second_message_or_roll_the_card_back(
    notifier_factory, fake_slack
):
    incident = snapshot(number=16)
    acked = changed(
        "acknowledged", snapshot(number=16, state="acknowledged"), 2, actor="slack:U0A", via="slack"
    )
    opened = changed("opened", incident, 1)
    async with notifier_factory() as svc:
        await svc.ctx.publisher.publish(S.incident("acknowledged"), acked)
        await _posts(fake_slack, 2)  # the card (already acknowledged) and its thread line
        await svc.ctx.publisher.publish(S.incident("opened"), opened)
        async with svc.client() as http:
            for _ in range(100):
                if (await http.get(f"/v1/deliveries/{opened.id}")).json().get("status") == "skipped":
                    break
                await asyncio.sleep(0.05)
            assert (await http.get(f"/v1/deliveries/{opened.id}")).json()["status"] == "skipped"
    assert len(fake_slack.messages) == 1 and fake_slack.calls_of("chat.update") == []
    ((_, message),) = fake_slack.messages.items()
    assert "[acknowledged]" in message["text"]
