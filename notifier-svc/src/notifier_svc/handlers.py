"""Use cases of delivery: accept events into the delivery log, then post or update Slack messages.

Accepting is fast and durable (one INSERT keyed by event id, then the JetStream ack); delivering
runs on per-channel workers, so Slack's pacing queues messages instead of blocking the consumer.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import msgspec
import structlog
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from em_shared.contracts.notifications import DirectMessageRequested, NotificationDeadLettered
from em_shared.contracts.subjects import S
from em_shared.messaging.publisher import EventPublisher

from notifier_svc.dispatch import Dispatcher
from notifier_svc.domain.blocks import direct_message, incident_message, thread_line
from notifier_svc.domain.routing import RoutingRules
from notifier_svc.repository import Delivery, NotifierRepository
from notifier_svc.slack.gateway import SlackCallFailed, SlackGateway

log = structlog.get_logger("notifier.delivery")

_incident_decoder = msgspec.json.Decoder(IncidentChanged)
_dm_decoder = msgspec.json.Decoder(DirectMessageRequested)
_encoder = msgspec.json.Encoder()
CLAIM_LEASE_S = 300.0


class DeliveryHandlers:
    def __init__(
        self,
        repo: NotifierRepository,
        gateway: SlackGateway,
        rules: RoutingRules,
        publisher: EventPublisher,
        view_url: Callable[[IncidentSnapshot], str],
        sending: bool = True,
    ) -> None:
        self._repo = repo
        # Without Slack credentials deliveries are recorded and stay pending until a configured start.
        self._sending = sending
        self._slack = gateway
        self._rules = rules
        self._publisher = publisher
        self._view_url = view_url
        self.dispatcher = Dispatcher(self.deliver)
        # One delivery at a time per incident, whichever channel queue it came through.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    # --- accepting (JetStream consumers) ---------------------------------------------------------
    async def accept_incident_change(self, event: IncidentChanged) -> None:
        # Later changes queue behind the channel that holds the message, even if routing changed since.
        existing = None if event.change == "opened" else await self._repo.message_for(event.incident.id)
        key = existing.channel if existing else self._rules.route(event.incident).channel
        await self._accept(
            event.id,
            "incident",
            S.incident(event.change),
            key,
            event.incident.id,
            _encoder.encode(event).decode(),
        )

    async def accept_direct_message(self, event: DirectMessageRequested) -> None:
        recipient = event.user_id or event.email
        if not recipient:
            # Nothing to retry: record it as dead so it is visible, never silently dropped.
            await self._repo.record_delivery(
                event.id, "dm", S.DM_REQUESTED, "dm:", None, _encoder.encode(event).decode()
            )
            await self._dead_letter(event.id, None, "chat.postMessage", "no user_id or email", 0, 0)
            return
        await self._accept(
            event.id, "dm", S.DM_REQUESTED, f"dm:{recipient}", None, _encoder.encode(event).decode()
        )

    async def _accept(
        self, event_id: str, kind: str, subject: str, key: str, incident_id: str | None, payload: str
    ) -> None:
        if await self._repo.record_delivery(event_id, kind, subject, key, incident_id, payload):
            if self._sending:
                self.dispatcher.submit(key, event_id)
        else:
            log.info("duplicate event ignored", event_id=event_id, subject=subject)

    async def resume_pending(self) -> int:
        """At startup: deliveries accepted but not finished before the last stop go out now."""
        pending = await self._repo.pending()
        if not self._sending:
            log.warning(
                "Slack is not configured (SLACK_BOT_TOKEN); deliveries stay pending", pending=len(pending)
            )
            return 0
        for event_id, key in pending:
            self.dispatcher.submit(key, event_id)
        return len(pending)

    async def replay(self, event_id: str) -> Delivery | None:
        """Operator replay of a dead letter: back to pending, queued again."""
        delivery = await self._repo.requeue(event_id)
        if delivery is not None and self._sending:
            self.dispatcher.submit(delivery.queue_key, event_id)
        return delivery

    # --- delivering (per-channel workers) --------------------------------------------------------
    async def deliver(self, event_id: str) -> None:
        delivery = await self._repo.claim(event_id, CLAIM_LEASE_S)
        if delivery is None:
            return
        structlog.contextvars.bind_contextvars(event_id=event_id)
        try:
            if delivery.kind == "incident":
                await self._deliver_incident(_incident_decoder.decode(delivery.payload))
            else:
                await self._deliver_dm(_dm_decoder.decode(delivery.payload))
        except SlackCallFailed as exc:
            await self._dead_letter(
                event_id,
                delivery.queue_key,
                exc.method,
                f"{exc.reason} (status {exc.failure.status})",
                exc.attempts,
                delivery.attempts,
            )
        except asyncio.CancelledError:
            await asyncio.shield(self._repo.release(event_id))
            raise
        finally:
            structlog.contextvars.unbind_contextvars("event_id")

    async def _deliver_incident(self, event: IncidentChanged) -> None:
        incident = event.incident
        lock = self._locks.setdefault(incident.id, asyncio.Lock())
        async with lock:
            stored = await self._repo.message_for(incident.id)
            route = self._rules.route(incident)
            card = incident_message(incident, self._view_url(incident), route.mention, event)
            if stored is None:
                answer = await self._slack.call(
                    "chat.postMessage",
                    channel=route.channel,
                    text=card.text,
                    blocks=card.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
                channel, ts = answer["channel"], answer["ts"]
                await self._repo.save_message(incident.id, channel, ts, event.sequence)
                if event.change != "opened":
                    await self._post_thread_line(event, channel, ts, route.mention)
                await self._repo.finish(event.id, "delivered", channel, ts)
                return
            if event.sequence > stored.last_sequence:
                await self._slack.call(
                    "chat.update", channel=stored.channel, ts=stored.ts, text=card.text, blocks=card.blocks
                )
                await self._repo.advance_message(incident.id, event.sequence)
            elif event.change == "opened":
                # The message already shows a later state; an old "opened" adds nothing.
                await self._repo.finish(event.id, "skipped", stored.channel, stored.ts)
                return
            await self._post_thread_line(event, stored.channel, stored.ts, route.mention)
            await self._repo.finish(event.id, "delivered", stored.channel, stored.ts)

    async def _post_thread_line(
        self, event: IncidentChanged, channel: str, ts: str, mention: str | None
    ) -> None:
        line = thread_line(event)
        if mention and event.change in ("severity_changed", "reopened"):
            line = f"{mention} {line}"
        await self._slack.call("chat.postMessage", channel=channel, thread_ts=ts, text=line)

    async def _deliver_dm(self, event: DirectMessageRequested) -> None:
        user_id = event.user_id
        if user_id is None and event.email:
            found = await self._slack.call("users.lookupByEmail", email=event.email)
            user_id = found["user"]["id"]
        opened = await self._slack.call("conversations.open", users=user_id)
        channel = opened["channel"]["id"]
        message = direct_message(event.text, event.blocks)
        answer = await self._slack.call(
            "chat.postMessage", channel=channel, text=message.text, blocks=message.blocks
        )
        await self._repo.finish(event.id, "delivered", channel, answer.get("ts"))

    async def _dead_letter(
        self, event_id: str, channel: str | None, method: str, error: str, attempts: int, claim_no: int
    ) -> None:
        await self._repo.dead_letter(event_id, method, error, channel)
        # The alert in the logs: error level, with everything an operator needs to replay it.
        log.error(
            "slack delivery dead-lettered",
            event_id=event_id,
            channel=channel,
            method=method,
            error=error,
            attempts=attempts,
        )
        await self._publisher.publish(
            S.NOTIFY_DEAD_LETTERED,
            NotificationDeadLettered(
                # One id per delivery run: a failing replay is a new dead letter, a retried publish not.
                id=deterministic_id("notify.dead_lettered", event_id, claim_no),
                occurred_at=utcnow(),
                source="notifier",
                causation_id=event_id,
                event_id=event_id,
                channel=channel,
                method=method,
                error=error,
                attempts=attempts,
            ),
        )
