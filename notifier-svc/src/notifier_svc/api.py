"""HTTP endpoints: Slack's events/interactivity/commands URL (Bolt behind a small Litestar adapter)
and an operator view of the delivery log with replay of dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from em_shared.messaging.errors import InvalidInput, NotFound, Unauthorized, Unavailable
from em_shared.runtime.context import ServiceContext
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from notifier_svc.handlers import DeliveryHandlers
from notifier_svc.repository import Delivery, NotifierRepository

STATUSES = ("pending", "delivered", "skipped", "dead_lettered")


@post("/slack/events", tags=["slack"], status_code=200, include_in_schema=True)
async def slack_events(request: Request[Any, Any, Any], ctx: ServiceContext) -> Response[bytes]:
    """Slack Events API, interactivity and slash commands: verified and dispatched by Bolt."""
    bolt: AsyncApp | None = ctx.state["bolt"]
    if bolt is None:
        raise Unavailable("Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    body = await request.body()
    headers: dict[str, list[str]] = {}
    for name, value in request.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    try:
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=request.url.query or None,
            headers=headers,  # type: ignore[arg-type]
        )
    except (ValueError, AttributeError, TypeError) as exc:
        # Bolt parses before it verifies, and reads the parsed JSON as an object: a body it cannot
        # parse (or JSON that is a list, a string, null) is a 401 unless Slack really signed it.
        verifier = SignatureVerifier(ctx.settings.slack_signing_secret)
        if not verifier.is_valid_request(body, {k: v[0] for k, v in headers.items()}):
            raise Unauthorized("invalid Slack signature") from exc
        reason = str(exc) if isinstance(exc, ValueError) else "the payload is not a JSON object"
        raise InvalidInput(f"malformed Slack payload: {reason}") from exc
    answer = await bolt.async_dispatch(bolt_request)
    return Response(
        content=answer.body.encode() if isinstance(answer.body, str) else answer.body,
        status_code=answer.status,
        headers=answer.first_headers_without_set_cookie(),
    )


class DeliveryView(msgspec.Struct, frozen=True):
    event_id: str
    kind: str
    subject: str
    status: str
    attempts: int
    queue_key: str
    incident_id: str | None
    channel: str | None
    ts: str | None
    failed_method: str | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


def _view(d: Delivery) -> DeliveryView:
    return DeliveryView(
        d.event_id,
        d.kind,
        d.subject,
        d.status,
        d.attempts,
        d.queue_key,
        d.incident_id,
        d.channel,
        d.ts,
        d.failed_method,
        d.last_error,
        d.created_at,
        d.finished_at,
    )


class DeliveryController(Controller):
    path = "/v1/deliveries"
    tags = ["deliveries"]

    @get("/")
    async def list_deliveries(
        self,
        ctx: ServiceContext,
        status: Annotated[
            str | None, Parameter(description="pending, delivered, skipped, dead_lettered")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[DeliveryView]:
        """The delivery log, newest first; `status=dead_lettered` lists what needs an operator."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        repo: NotifierRepository = ctx.state["repo"]
        return [_view(d) for d in await repo.list_deliveries(status, limit)]

    @get("/{event_id:str}")
    async def get_delivery(self, ctx: ServiceContext, event_id: str) -> DeliveryView:
        repo: NotifierRepository = ctx.state["repo"]
        delivery = await repo.get_delivery(event_id)
        if delivery is None:
            raise NotFound(f"no delivery for event {event_id}")
        return _view(delivery)

    @post("/{event_id:str}/replay", status_code=202)
    async def replay(self, ctx: ServiceContext, event_id: str) -> DeliveryView:
        """Send a dead-lettered delivery again (after fixing a channel or a token)."""
        handlers: DeliveryHandlers = ctx.state["delivery"]
        delivery = await handlers.replay(event_id)
        if delivery is None:
            raise NotFound(f"no dead-lettered delivery for event {event_id}")
        return _view(delivery)


ROUTES = [slack_events, DeliveryController]
