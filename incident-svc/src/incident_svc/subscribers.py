"""Subject -> handler wiring: the alert (batched) and deployment consumers and the `rpc.incident.*` responders."""

from __future__ import annotations

from em_shared.contracts import incidents as c
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.messaging.rpc import serve_rpc
from em_shared.runtime.context import ServiceContext

from incident_svc.consumer import AlertConsumer
from incident_svc.handlers.batches import BatchIntake
from incident_svc.handlers.commands import IncidentCommands
from incident_svc.handlers.deploys import DeploymentIntake
from incident_svc.settings import IncidentSettings

SERVICE = "incident"
ACTIONS = ("acknowledge", "mitigate", "resolve", "close", "reopen")


def register(
    ctx: ServiceContext,
    intake: BatchIntake,
    deploys: DeploymentIntake,
    commands: IncidentCommands,
    settings: IncidentSettings,
) -> AlertConsumer:
    """Wire every subject; returns the alert consumer, which the service starts once it is up."""
    alerts = AlertConsumer(
        ctx.broker.connection.jetstream(),
        ctx.topology,
        settings.alert_durable,
        intake,
        batch=settings.consumer_batch,
        lanes=settings.intake_lanes,
        max_ack_pending=settings.consumer_max_ack_pending,
    )
    subscribe_events(
        ctx.broker,
        ctx.topology,
        SERVICE,
        S.DEPLOYMENT_FINISHED,
        "incident-deployments",
        DeploymentChanged,
        deploys.handle,
    )
    rpc = [
        ("rpc.incident.get", c.IncidentRef, commands.get),
        ("rpc.incident.list", c.IncidentListQuery, commands.list),
        ("rpc.incident.create", c.IncidentCreate, commands.create),
        ("rpc.incident.update", c.IncidentUpdate, commands.update),
        ("rpc.incident.add_note", c.IncidentNote, commands.add_note),
        ("rpc.incident.merge", c.IncidentMerge, commands.merge),
        ("rpc.incident.link_deployment", c.IncidentLinkDeployment, commands.link_deployment),
    ]
    for subject, request_type, handler in rpc:
        serve_rpc(ctx.broker, ctx.topology, SERVICE, subject, request_type, handler)
    for action in ACTIONS:
        serve_rpc(
            ctx.broker,
            ctx.topology,
            SERVICE,
            f"rpc.incident.{action}",
            c.IncidentAction,
            _bind(commands, action),
        )
    return alerts


def _bind(commands: IncidentCommands, action: str):  # type: ignore[no-untyped-def]
    async def handle(cmd: c.IncidentAction) -> c.IncidentSnapshot:
        return await commands.act(action, cmd)

    return handle
