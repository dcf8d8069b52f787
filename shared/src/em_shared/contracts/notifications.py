"""Requests to notify people (used by onboarding and digests) and notifier dead letters."""

from __future__ import annotations

from em_shared.contracts.base import Event


class DirectMessageRequested(Event, frozen=True, kw_only=True):
    """`notify.direct_message.requested`: DM a Slack user by id or by email."""

    text: str
    user_id: str | None = None
    email: str | None = None
    blocks: list[dict[str, object]] = []


class NotificationDeadLettered(Event, frozen=True, kw_only=True):
    """`notify.delivery.dead_lettered`: a Slack call that kept failing after its retries.

    `event_id` is the event that could not be delivered (replay it with notifier-svc's
    `POST /v1/deliveries/{event_id}/replay`); `channel` is where it was going (a channel, or
    `dm:<user id or email>`); `method` the Slack Web API method that failed.
    """

    event_id: str
    channel: str | None
    method: str
    error: str
    attempts: int
