"""Deployment intake: remember finished deployments; a late one can still become an open incident's suspect."""

from __future__ import annotations

import asyncpg
from em_shared.contracts.deployments import DeploymentChanged

from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.suspects import link_suspect
from incident_svc.repository import deployments


def deployment_id(event: DeploymentChanged) -> str:
    """`provider:deployment_key`: the id incident links and the metrics module can both derive."""
    return f"{event.provider}:{event.deployment_key}"


class DeploymentIntake:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter, suspect_window_s: float) -> None:
        self._pool = pool
        self._emitter = emitter
        self._window = suspect_window_s

    async def handle(self, event: DeploymentChanged) -> None:
        if not event.service:
            return
        finished_at = event.finished_at or event.occurred_at
        pending = Pending()
        async with self._pool.acquire() as conn, conn.transaction():
            values = {
                "id": deployment_id(event),
                "provider": event.provider,
                "deployment_key": event.deployment_key,
                "service": event.service,
                "environment": event.environment,
                "status": event.status,
                "version": event.version,
                "sha": event.sha,
                "url": event.url,
                "finished_at": finished_at,
                "event_id": event.id,
            }
            await deployments.upsert(conn, values)
            row = await deployments.get(conn, values["id"])
            assert row is not None
            # Arrived after the incident opened (ingest lag): it is still the suspect if it finished first.
            for incident in await deployments.open_incidents_after(
                conn, event.service, event.environment, finished_at, self._window
            ):
                await link_suspect(conn, incident, row)
                await self._emitter.record(
                    conn,
                    pending,
                    incident["id"],
                    "updated",
                    via="auto",
                    details={"suspected_deployment_id": row["id"]},
                )
        await self._emitter.flush(pending)
