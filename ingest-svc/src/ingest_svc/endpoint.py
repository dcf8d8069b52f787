"""`POST /webhooks/{source}[/{instance}]` as a plain ASGI handler served ahead of Litestar.

This is the one route vendors hit thousands of times a second, and Litestar's handler layer (request
object, parameter parsing, response object) costs more CPU than storing the delivery does: on a
no-op POST it is about 70 of the 120 microseconds per request on this project's machine, and even
as an ASGI mount its router and middleware chain cost about 3.5 (see docs/performance.md). So the
service host hands `/webhooks` straight to this handler (`ServiceDefinition.direct_routes`), which
reads the ASGI messages itself. Everything else stays the same: the same uvicorn server, the same
`WebhookIntake` use case, the same `ErrorBody` answers; `api.WebhookController` describes these
routes in the OpenAPI document.

What Litestar did for this route and is done here: routing (source and instance from the path),
the body limit (the source's own, checked against Content-Length before reading and while
reading), 405 for other methods, and turning errors into JSON answers.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import structlog
from em_shared.messaging.errors import InvalidInput, NotFound, ServiceError
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.http import ErrorBody
from litestar.types import Receive, Scope, Send

from ingest_svc import telemetry
from ingest_svc.committer import Overloaded
from ingest_svc.domain.sources import SOURCES
from ingest_svc.handlers import PayloadTooLarge, WebhookIntake

log = structlog.get_logger("ingest.endpoint")

PREFIX = "/webhooks"
RETRY_AFTER_S = "2"
_encode = msgspec.json.Encoder().encode
_JSON = (b"content-type", b"application/json")


class MethodNotAllowed(ServiceError):
    code, status = "method_not_allowed", 405


def _route(parts: list[str]) -> tuple[str, str]:
    """(source, instance) from the path's segments below the prefix (`github`, or `alertmanager`, `eu-1`)."""
    if not parts or len(parts) > 2:
        raise NotFound("webhook paths are /webhooks/{source} or /webhooks/{source}/{instance}")
    if len(parts) == 1:
        return parts[0], "default"
    instance = parts[1]
    if not instance.replace("-", "").replace("_", "").isalnum() or len(instance) > 64:
        raise InvalidInput("instance names are letters, digits, - and _ (at most 64)")
    return parts[0], instance.lower()


async def _read_body(receive: Receive, limit: int, declared: str | None) -> bytes:
    """The whole body, refusing early (413) what is over the limit instead of buffering it."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionAbortedError("client went away before sending its body")
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"body over {limit} bytes")
            chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _answer(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [_JSON, (b"content-length", str(len(body)).encode())]
    if extra:
        headers.extend(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _error(status: int, code: str, detail: str, extra: Any = None) -> bytes:
    return _encode(ErrorBody(error=code, detail=detail, status=status, extra=extra))


async def _accept(
    intake: WebhookIntake, parts: list[str], scope: Scope, receive: Receive
) -> tuple[int, bytes, list[tuple[bytes, bytes]] | None, str]:
    """(status, body, extra headers, telemetry outcome) of one webhook request."""
    if scope["method"] != "POST":
        raise MethodNotAllowed(f"{scope['method']} is not allowed here; webhooks are POSTed")
    name, instance = _route(parts)
    source, limit = intake.source(name)  # 404 before reading a body nobody will store
    # ASGI header names are already lower-case bytes: decode them directly.
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    body = await _read_body(receive, limit, headers.get("content-length"))
    try:
        result = await intake.accept(source, instance, headers, body)
    except Overloaded as exc:
        # Alertmanager and Datadog retry only on 5xx: 503 + Retry-After, never a 500 or a silent drop.
        detail = f"ingest is saturated ({exc}); retry later"
        return 503, _error(503, "unavailable", detail), [(b"retry-after", RETRY_AFTER_S.encode())], "503"
    return 200, _encode(result), None, "duplicate" if result.duplicate else result.status


async def webhooks(ctx: ServiceContext | None, scope: Scope, receive: Receive, send: Send) -> None:
    """The direct route for PREFIX: `scope["path"]` is PREFIX or below it."""
    started = time.perf_counter()
    parts = [p for p in scope["path"][len(PREFIX) :].split("/") if p]
    label = parts[0] if parts and parts[0] in SOURCES else "unknown"  # no label values from callers
    if ctx is None:
        await _answer(send, 503, _error(503, "unavailable", "service is starting"), [(b"retry-after", b"1")])
        return
    try:
        status, body, extra, outcome = await _accept(ctx.state["intake"], parts, scope, receive)
    except ServiceError as exc:
        status, body, outcome = (
            exc.status,
            _error(exc.status, exc.code, exc.message, exc.details),
            str(exc.status),
        )
        extra = [(b"allow", b"POST")] if exc.status == 405 else None
    except ConnectionAbortedError:
        telemetry.record(label, "disconnected", time.perf_counter() - started)
        return
    except Exception:
        log.exception("webhook intake failed", path=scope["path"])
        status, body, extra, outcome = (
            500,
            _error(500, "internal", "internal error; see the service log"),
            None,
            "500",
        )
    telemetry.record(label, outcome, time.perf_counter() - started)
    await _answer(send, status, body, extra)
