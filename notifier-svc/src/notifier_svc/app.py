"""Wires notifier-svc: the one place that knows every piece of the service."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import structlog
import yaml
from em_shared.contracts.incidents import IncidentSnapshot
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition
from slack_sdk.web.async_client import AsyncWebClient

from notifier_svc import __version__
from notifier_svc.api import ROUTES
from notifier_svc.domain.retry import RetryPolicy
from notifier_svc.domain.routing import RoutingRules, parse_rules
from notifier_svc.handlers import DeliveryHandlers
from notifier_svc.interactions import Interactions
from notifier_svc.repository import NotifierRepository
from notifier_svc.settings import NotifierSettings
from notifier_svc.slack.bolt_app import build_bolt_app
from notifier_svc.slack.directory import GroupDirectory
from notifier_svc.slack.gateway import SlackGateway
from notifier_svc.slack.pacing import ChannelPacer
from notifier_svc.subscribers import subscribe

MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger("notifier.app")


def load_rules(settings: NotifierSettings) -> RoutingRules:
    """Parse the routing file at startup: a broken file stops the service with a clear message."""
    raw = (
        yaml.safe_load(Path(settings.routing_rules_file).read_text()) if settings.routing_rules_file else None
    )
    return parse_rules(raw, settings.slack_default_channel)


def create_service(settings: NotifierSettings) -> ServiceDefinition:
    rules = load_rules(settings)

    def view_url(incident: IncidentSnapshot) -> str:
        return incident.url or settings.incident_url_template.replace("{id}", incident.id)

    async def register(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        # One HTTP session for every Slack call: keeps connections warm (latency) and closes cleanly.
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.slack_timeout_s))
        # retry_handlers=[]: the gateway owns retries, so slack_sdk must not retry underneath it.
        client = AsyncWebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            session=session,
            timeout=int(settings.slack_timeout_s),
            retry_handlers=[],
        )
        policy = RetryPolicy(
            settings.max_attempts, settings.max_rate_limited, settings.retry_base_s, settings.retry_max_s
        )
        gateway = SlackGateway(
            client, ChannelPacer(settings.channel_rate_per_s, settings.channel_burst), policy
        )
        repo = NotifierRepository(ctx.pool)
        configured = bool(settings.slack_bot_token)
        delivery = DeliveryHandlers(repo, gateway, rules, ctx.publisher, view_url, sending=configured)
        interactions = Interactions(
            ctx.rpc, gateway, rules, GroupDirectory(gateway, settings.allow_list_cache_s), view_url
        )
        ctx.state.update(
            session=session,
            repo=repo,
            delivery=delivery,
            gateway=gateway,
            # Never verify against an empty signing secret: without both, /slack/events answers 503.
            bolt=build_bolt_app(client, settings.slack_signing_secret, interactions)
            if configured and settings.slack_signing_secret
            else None,
        )
        subscribe(ctx, delivery)

    async def on_started(ctx: ServiceContext) -> None:
        resumed = await ctx.state["delivery"].resume_pending()
        if resumed:
            log.info("resumed pending deliveries", count=resumed)

    async def on_stopping(ctx: ServiceContext) -> None:
        await ctx.state["delivery"].dispatcher.close(settings.shutdown_grace_s / 2)
        await ctx.state["session"].close()

    return ServiceDefinition(
        name="notifier",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=ROUTES,
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
    )
