"""Subject -> handler wiring of notifier-svc, nothing else."""

from __future__ import annotations

from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.notifications import DirectMessageRequested
from em_shared.contracts.subjects import S
from em_shared.messaging.consumers import subscribe_events
from em_shared.runtime.context import ServiceContext

from notifier_svc.handlers import DeliveryHandlers


def subscribe(ctx: ServiceContext, handlers: DeliveryHandlers) -> None:
    subscribe_events(
        ctx.broker,
        ctx.topology,
        "notifier",
        f"{S.INCIDENT_PREFIX}.*",
        "notifier-incidents",
        IncidentChanged,
        handlers.accept_incident_change,
    )
    subscribe_events(
        ctx.broker,
        ctx.topology,
        "notifier",
        S.DM_REQUESTED,
        "notifier-direct-messages",
        DirectMessageRequested,
        handlers.accept_direct_message,
    )
