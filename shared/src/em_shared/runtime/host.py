"""Runs one EM Agent service: HTTP (Litestar on uvicorn) and NATS (faststream) in one process.

The lifespan opens PostgreSQL (and migrates), connects NATS, declares streams, registers the
service's subscribers and RPC responders, then starts consuming. On SIGTERM uvicorn stops
accepting and finishes in-flight requests, the broker drains in-flight messages, the pool closes,
and the process exits 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
import uvicorn
from litestar import Litestar
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import Receive, Scope, Send

from em_shared.contracts.health import Ping, Pong
from em_shared.contracts.subjects import S, Topology
from em_shared.messaging.broker import create_broker, start_broker
from em_shared.messaging.publisher import EventPublisher
from em_shared.messaging.rpc import RpcClient, serve_rpc
from em_shared.messaging.streams import declare_streams
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.http import EXCEPTION_HANDLERS, context, health, readiness_checks, ready
from em_shared.runtime.settings import CommonSettings
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool, schema_name

log = structlog.get_logger("em.host")

Hook = Callable[[ServiceContext], Awaitable[None]]
# An ASGI handler served in front of Litestar; it gets the service context (None while starting).
DirectHandler = Callable[[ServiceContext | None, Scope, Receive, Send], Awaitable[None]]


@dataclass
class ServiceDefinition:
    """Everything that makes a service itself; the host supplies the rest."""

    name: str
    version: str
    port: int
    route_handlers: Sequence[Any] = ()
    # Declarations that only describe routes in the OpenAPI document, for paths another handler
    # serves (e.g. a direct route on a hot path): Litestar generates their operations, nothing routes to them.
    documented_routes: Sequence[Any] = ()
    # Path prefixes served by a plain ASGI handler ahead of Litestar's router and middleware: for a
    # route hit thousands of times a second whose per-request framework cost matters (ingest-svc's
    # webhooks). Such a handler does its own errors and instruments; `documented_routes` describe it.
    direct_routes: Mapping[str, DirectHandler] = field(default_factory=dict)
    migrations: Path | None = None
    # Register subscribers and RPC responders; runs after connect, before consuming starts.
    register: Hook | None = None
    on_started: Hook | None = None
    on_stopping: Hook | None = None
    dependencies: dict[str, Any] = field(default_factory=dict)
    request_max_body_size: int = 10 * 1024 * 1024
    # Extra asyncpg.create_pool options (e.g. `reset`), for a service that knows its connections' use.
    pool_options: dict[str, Any] = field(default_factory=dict)


async def _retry(what: str, attempt: Callable[[], Awaitable[Any]], deadline_s: float = 60.0) -> Any:
    """Servers may still be starting (make up starts everything at once): retry with backoff."""
    started, delay = time.monotonic(), 0.2
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if time.monotonic() - started > deadline_s:
                raise
            log.warning("dependency not reachable yet", dependency=what, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


async def start_context(defn: ServiceDefinition, settings: CommonSettings) -> ServiceContext:
    """Connect everything and start consuming; the counterpart of `stop_context`."""
    topology = Topology(settings.namespace)
    pool, schema = None, None
    if defn.migrations is not None:
        schema = schema_name(defn.name, settings.namespace)
        pool = await _retry(
            "postgres",
            lambda: create_pool(
                settings.database_url, schema, settings.db_pool_min, settings.db_pool_max, **defn.pool_options
            ),
        )
    broker = create_broker(settings.nats_url, f"{defn.name}-svc", settings.shutdown_grace_s)
    await _retry("nats", broker.connect)
    js = broker.connection.jetstream()
    await declare_streams(js, topology)
    ctx = ServiceContext(
        name=defn.name,
        version=defn.version,
        settings=settings,
        topology=topology,
        broker=broker,
        pool=pool,
        schema=schema,
        publisher=EventPublisher(js, topology, defn.name),
        rpc=RpcClient(broker.connection, topology, settings.rpc_timeout_s),
    )
    if pool is not None and defn.migrations is not None and schema is not None:
        async with pool.acquire() as conn:
            applied = await migrate(conn, schema, defn.migrations)
        ctx.migrations_applied = True
        if applied:
            log.info("migrations applied", schema=schema, versions=applied)

    async def pong(_: Ping) -> Pong:
        checks = await readiness_checks(ctx)
        return Pong(
            service=defn.name,
            version=defn.version,
            instance=f"{socket.gethostname()}:{os.getpid()}",
            ready=all(v == "ok" for v in checks.values()),
            uptime_s=time.monotonic() - ctx.started_at,
        )

    serve_rpc(broker, topology, defn.name, S.ping(defn.name), Ping, pong)
    if defn.register is not None:
        await defn.register(ctx)
    await start_broker(broker)
    if defn.on_started is not None:
        await defn.on_started(ctx)
    return ctx


async def stop_context(defn: ServiceDefinition, ctx: ServiceContext) -> None:
    if defn.on_stopping is not None:
        await defn.on_stopping(ctx)
    # broker.stop() waits up to graceful_timeout for handlers that are still running.
    await ctx.broker.stop()
    if ctx.pool is not None:
        await ctx.pool.close()


class DirectRoutes:
    """The service's ASGI app when it has direct routes: their prefixes skip Litestar entirely.

    Everything else (every other path, the lifespan) goes to the Litestar app, whose `state` this
    exposes. Litestar's router and a service's middleware chain cost about 3.5 microseconds per request
    (5.1 vs 1.6 for an ASGI mount vs this, in-process), ~2 % of ingest-svc's CPU per delivery
    (docs/performance.md).
    """

    def __init__(self, app: Litestar, routes: Mapping[str, DirectHandler]) -> None:
        self.app = app
        self.state = app.state
        self._routes = tuple((prefix.rstrip("/"), handler) for prefix, handler in routes.items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            path: str = scope["path"]
            for prefix, handler in self._routes:
                if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                    await handler(self.state.get("ctx"), scope, receive, send)
                    return
        await self.app(scope, receive, send)


def build_app(defn: ServiceDefinition, settings: CommonSettings) -> Litestar | DirectRoutes:
    """The ASGI app; connecting happens in its lifespan so building it does no I/O."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        ctx = await start_context(defn, settings)
        app.state.ctx = ctx
        log.info("service started", port=defn.port, version=defn.version)
        try:
            yield
        finally:
            log.info("service stopping")
            await stop_context(defn, ctx)
            log.info("service stopped")

    # Direct routes never reach this middleware (tens of microseconds per request): they record their
    # own cheaper instruments (ingest-svc's webhook intake).
    prometheus = PrometheusConfig(
        app_name=f"{defn.name}-svc",
        prefix="em_http",
        group_path=True,
        exclude=["/metrics"],
    )

    openapi_config = OpenAPIConfig(
        title=f"EM Agent {defn.name}-svc",
        version=defn.version,
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/"), RedocRenderPlugin(path="/redoc")],
    )
    app = Litestar(
        route_handlers=[health, ready, PrometheusController, *defn.route_handlers],
        lifespan=[lifespan],
        middleware=[prometheus.middleware],
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies={"ctx": Provide(context, sync_to_thread=False), **defn.dependencies},
        openapi_config=openapi_config,
        state=_initial_state(defn),
        request_max_body_size=defn.request_max_body_size,
        # Logging is configured once by configure_logging (structlog JSON); Litestar must not re-do it.
        logging_config=None,
        debug=False,
    )
    if defn.documented_routes:
        _document(app, defn.documented_routes, openapi_config)
    return DirectRoutes(app, defn.direct_routes) if defn.direct_routes else app


def _document(app: Litestar, routes: Sequence[Any], config: OpenAPIConfig) -> None:
    """Add the operations (and their component schemas) of `routes` to `app`'s OpenAPI document."""
    described = Litestar(
        route_handlers=list(routes), openapi_config=config, logging_config=None
    ).openapi_schema
    schema = app.openapi_schema
    schema.paths = {**(schema.paths or {}), **(described.paths or {})}
    if described.components.schemas:
        schema.components.schemas = {**described.components.schemas, **(schema.components.schemas or {})}


def _initial_state(defn: ServiceDefinition) -> Any:
    from litestar.datastructures import State

    return State({"service_name": defn.name, "service_version": defn.version, "ctx": None})


def run(defn: ServiceDefinition, settings: CommonSettings, port: int | None = None) -> None:
    """Serve until SIGTERM/SIGINT; uvicorn finishes in-flight requests before the lifespan closes."""
    config = uvicorn.Config(
        build_app(defn, settings),
        host=settings.host,
        port=port or defn.port,
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        server_header=False,
    )
    # uvicorn re-raises the captured signal after its graceful shutdown; with a Python handler in place
    # that re-raise is a no-op, so a clean SIGTERM shutdown exits 0 as orchestrators expect.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    uvicorn.Server(config).run()
