"""The slack-bolt AsyncApp: verifies Slack's v0 signature and 5-minute window, acks, dispatches.

Bolt answers 401 to forged or stale requests before any listener runs; listeners ack at once
(inside Slack's 3 s) and the click's work continues after the HTTP answer (process_before_response
is off), so a slow incident-svc never makes Slack show an error to the user.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import structlog
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from notifier_svc.domain.blocks import ACK_ACTION, RESOLVE_ACTION, VIEW_ACTION
from notifier_svc.interactions import Interactions

log = structlog.get_logger("notifier.bolt")
# What reading a payload of the wrong shape raises (a missing key, a string where an object belongs).
MALFORMED = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def malformed_payload(reason: str) -> BoltResponse:
    """The ErrorBody every service answers a bad request with, as a Bolt response."""
    body = {"error": "invalid", "detail": f"malformed Slack payload: {reason}", "status": 400}
    return BoltResponse(status=400, body=json.dumps(body), headers={"content-type": "application/json"})


def build_bolt_app(client: AsyncWebClient, signing_secret: str, interactions: Interactions) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=True,
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    # Clicks run as their own tasks after the ack; kept referenced until done (asyncio holds tasks weakly).
    in_flight: set[asyncio.Task[Any]] = set()

    async def on_click(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        channel = body.get("channel") or {}
        task = asyncio.create_task(
            interactions.click(
                action["action_id"],
                action.get("value", ""),
                body["user"]["id"],
                channel.get("id", ""),
                channel.get("name"),
            )
        )
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)

    app.action(ACK_ACTION)(on_click)
    app.action(RESOLVE_ACTION)(on_click)

    @app.action(VIEW_ACTION)
    async def on_view(ack: AsyncAck) -> None:
        # A link button still posts an interaction; acknowledging it keeps Slack from showing an error.
        await ack()

    @app.command("/em")
    async def on_em(ack: AsyncAck, command: dict[str, Any]) -> None:
        answer = await interactions.command(command.get("text") or "")
        await ack(text=answer.text, blocks=answer.blocks or None, response_type="ephemeral")

    @app.error
    async def on_error(error: Exception, body: Any, response: BoltResponse | None) -> BoltResponse | None:
        kind = body.get("type") if isinstance(body, dict) else None
        if isinstance(error, MALFORMED) and response is not None and response.status == 500:
            # Bolt reads fields while it matches listeners (an action's action_id, an event's type);
            # a verified payload without the shape Slack sends fails there: the sender's 400, not ours.
            log.warning("malformed Slack payload", error=repr(error), type=kind)
            return malformed_payload(f"{type(error).__name__}: {error}")
        log.error("bolt listener failed", error=repr(error), type=kind)
        return None

    return app
