"""Wires incident-svc: the one place that knows every piece of the service."""

from __future__ import annotations

from pathlib import Path

import yaml
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition

from incident_svc import __version__, subscribers
from incident_svc.api import IncidentController
from incident_svc.domain.grouping import GroupingRules, parse_fields, parse_overrides
from incident_svc.domain.severity import SeverityMap
from incident_svc.domain.signals import IntakeRules
from incident_svc.handlers.batches import BatchIntake
from incident_svc.handlers.commands import IncidentCommands
from incident_svc.handlers.deploys import DeploymentIntake
from incident_svc.handlers.emitter import Emitter
from incident_svc.handlers.intake import AlertIntake
from incident_svc.handlers.relay import Relay
from incident_svc.settings import IncidentSettings

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_SEVERITY_MAP = Path(__file__).parent / "severity.yaml"


def load_rules(settings: IncidentSettings) -> IntakeRules:
    """Grouping, severity and identity rules from settings; a malformed one fails startup loudly."""
    path = Path(settings.severity_map) if settings.severity_map else DEFAULT_SEVERITY_MAP
    severity = SeverityMap.from_mapping(yaml.safe_load(path.read_text()) or {})
    if settings.auto_resolve_to not in ("resolved", "mitigated", "none"):
        raise ValueError("INCIDENT_AUTO_RESOLVE_TO must be resolved, mitigated or none")
    grouping = GroupingRules(
        default=parse_fields(settings.group_by) or ("service", "alert_name"),
        by_source=parse_overrides(settings.group_by_source),
        by_service=parse_overrides(settings.group_by_service),
    )
    return IntakeRules(
        grouping=grouping, severity=severity, identity_fields=parse_fields(settings.identity_fields)
    )


def create_service(settings: IncidentSettings) -> ServiceDefinition:
    rules = load_rules(settings)

    async def register(ctx: ServiceContext) -> None:
        assert ctx.pool is not None
        emitter = Emitter(ctx.publisher, ctx.pool, settings.public_url)
        intake = AlertIntake(ctx.pool, emitter, rules, settings)
        deploys = DeploymentIntake(ctx.pool, emitter, settings.suspect_window_s)
        commands = IncidentCommands(ctx.pool, emitter, settings.public_url, settings.suspect_window_s)
        relay = Relay(
            ctx.pool,
            emitter,
            ctx.broker.connection.jetstream(),
            ctx.topology,
            settings.relay_interval_s,
            settings.group_interval_s,
        )
        batches = BatchIntake(ctx.pool, emitter, intake, settings.group_interval_s)
        consumer = subscribers.register(ctx, batches, deploys, commands, settings)
        ctx.state.update(
            intake=intake,
            batches=batches,
            consumer=consumer,
            deploys=deploys,
            commands=commands,
            relay=relay,
            emitter=emitter,
        )

    async def on_started(ctx: ServiceContext) -> None:
        await ctx.state["consumer"].start()
        ctx.state["relay"].start()

    async def on_stopping(ctx: ServiceContext) -> None:
        await ctx.state["consumer"].stop()
        await ctx.state["relay"].stop()

    return ServiceDefinition(
        name="incident",
        version=__version__,
        port=settings.port,
        migrations=MIGRATIONS,
        route_handlers=[IncidentController],
        register=register,
        on_started=on_started,
        on_stopping=on_stopping,
    )
