"""Wires ingest-svc: the one place that knows every piece of the service."""

from __future__ import annotations

import gc
from pathlib import Path

import msgspec
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition

from ingest_svc import __version__, api, endpoint, repository, subscribers
from ingest_svc.catalog_cache import CatalogCache
from ingest_svc.committer import GroupCommitter
from ingest_svc.domain.catalog import parse_catalog_yaml
from ingest_svc.domain.sources import SOURCES
from ingest_svc.handlers import CatalogLookups, IntakeLimits, Replays, WebhookIntake, parse_overrides
from ingest_svc.metrics import module as metrics
from ingest_svc.outbound import PipelinedPublisher
from ingest_svc.relay import Relay
from ingest_svc.secrets import SecretStore, from_environment
from ingest_svc.settings import IngestSettings
from ingest_svc.sns_certs import Fetcher, SnsVerifier, fetch_https

MIGRATIONS = Path(__file__).parent / "migrations"


def create_service(
    settings: IngestSettings, *, secrets: SecretStore | None = None, sns_fetcher: Fetcher = fetch_https
) -> ServiceDefinition:
    """`secrets` defaults to EM_WEBHOOK_SECRET_* plus the secrets file; tests pass their own store,
    and a local certificate fetcher for SNS."""
    store = secrets or from_environment(
        settings.webhook_secrets_file, settings.webhook_insecure_sources, tuple(SOURCES)
    )
    overrides = parse_overrides(settings.webhook_max_body_overrides)
    limits = IntakeLimits(
        settings.webhook_max_body_bytes, overrides, settings.webhook_replay_window_s, settings.store_timeout_s
    )
    sns = SnsVerifier(sns_fetcher)

    async def register(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        catalog = CatalogCache(ctx.pool)
        relay = Relay(
            ctx.pool,
            PipelinedPublisher(ctx.broker.connection, ctx.topology, ctx.name),
            catalog,
            batch=settings.relay_batch,
            poll_s=settings.relay_poll_s,
            linger_s=settings.relay_linger_s,
            sns=sns,
            sns_auto_confirm=settings.sns_auto_confirm,
        )
        committer = GroupCommitter(
            ctx.pool,
            max_batch=settings.group_commit_max,
            writers=settings.group_commit_writers,
            queue_max=settings.accept_queue_max,
            on_commit=relay.hand_off,
        )
        ctx.state.update(
            catalog=catalog,
            relay=relay,
            committer=committer,
            intake=WebhookIntake(store, committer, sns, limits),
        )
        if settings.service_catalog:
            services = parse_catalog_yaml(Path(settings.service_catalog).read_text())
            await repository.upsert_catalog(ctx.pool, [msgspec.to_builtins(s) for s in services])
        await catalog.refresh()
        subscribers.register(ctx, CatalogLookups(catalog), Replays(ctx.pool, relay.wake))
        await metrics.register(ctx)

    async def on_started(ctx: ServiceContext) -> None:
        # Everything built so far (routes, schemas, clients) lives as long as the process: freeze it so
        # collections stop rescanning it, and collect young objects less often (each request allocates
        # hundreds). Measured with the collector off as the bound: CPU per delivery did not move beyond
        # run-to-run noise (docs/performance.md), so this is about pauses, not throughput.
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)
        ctx.state["committer"].start()
        ctx.state["relay"].start()
        await metrics.on_started(ctx)

    async def on_stopping(ctx: ServiceContext) -> None:
        await metrics.on_stopping(ctx)
        await ctx.state["committer"].stop()
        await ctx.state["relay"].stop()

    return ServiceDefinition(
        name="ingest",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=[*api.ROUTES, *metrics.ROUTES],
        documented_routes=api.DOCUMENTED,
        direct_routes={endpoint.PREFIX: endpoint.webhooks},
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
        request_max_body_size=max([settings.webhook_max_body_bytes, *overrides.values()]) + 1,
    )
