"""HTTP pieces every service has: /health, /ready, /metrics, OpenAPI, and error -> 4xx mapping."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Litestar, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from em_shared.messaging.errors import ServiceError, from_database
from em_shared.runtime.context import ServiceContext

log = structlog.get_logger("em.http")


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error answer: a machine-readable `error` code and a human `detail`."""

    error: str
    detail: str
    status: int
    extra: Any = None


def error_response(
    status: int, code: str, detail: str, extra: Any = None, headers: dict[str, str] | None = None
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(error=code, detail=detail, status=status, extra=extra),
        status_code=status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _service_error(_: Request[Any, Any, Any], exc: ServiceError) -> Response[ErrorBody]:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    return error_response(400, "invalid", exc.detail, exc.extra)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    code = {
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, exc.detail, exc.extra, headers=exc.headers)


def _database_value_error(
    _: Request[Any, Any, Any], exc: asyncpg.exceptions.DataError
) -> Response[ErrorBody]:
    return _service_error(_, from_database(exc))


def _unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error", path=request.url.path)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal", "internal error; see the service log")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ServiceError: _service_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    asyncpg.exceptions.DataError: _database_value_error,
    Exception: _unhandled,
}


class Health(msgspec.Struct, frozen=True):
    status: str
    service: str
    version: str


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    service: str
    checks: dict[str, str]


@get("/health", include_in_schema=True, tags=["ops"], sync_to_thread=False)
def health(state: State) -> Health:
    """Alive: the process runs and its event loop answers."""
    ctx: ServiceContext | None = state.get("ctx")
    return Health(
        status="ok", service=state.service_name, version=state.service_version if ctx is None else ctx.version
    )


@get("/ready", tags=["ops"])
async def ready(state: State) -> Response[Readiness]:
    """Ready: NATS connected, PostgreSQL reachable, migrations applied. 503 names what is not."""
    ctx: ServiceContext | None = state.get("ctx")
    checks = await readiness_checks(ctx)
    ok = all(v == "ok" for v in checks.values())
    return Response(
        Readiness(ready=ok, service=state.service_name, checks=checks), status_code=200 if ok else 503
    )


async def readiness_checks(ctx: ServiceContext | None) -> dict[str, str]:
    if ctx is None:
        return {"startup": "starting"}
    checks: dict[str, str] = {}
    try:
        checks["nats"] = "ok" if ctx.broker.connection.is_connected else "disconnected"
    except Exception as exc:  # not connected yet
        checks["nats"] = f"unavailable: {exc}"
    if ctx.pool is not None:
        try:
            async with ctx.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as exc:
            checks["postgres"] = f"unavailable: {type(exc).__name__}"
        checks["migrations"] = "ok" if ctx.migrations_applied else "pending"
    for name, check in ctx.state.get("ready_checks", {}).items():
        checks[name] = await check()
    return checks


def context(state: State) -> ServiceContext:
    """Litestar dependency: the running service's context (503 until startup finished)."""
    ctx: ServiceContext | None = state.get("ctx")
    if ctx is None:
        raise HTTPException(status_code=503, detail="service is starting")
    return ctx


def app_state(app: Litestar) -> State:
    return app.state
