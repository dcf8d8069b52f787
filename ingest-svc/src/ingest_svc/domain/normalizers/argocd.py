"""Argo CD notifications (webhook service). The body is a user template; docs/ingest.md gives the one
we expect, built from Argo CD's documented `.app` fields (sync revision, operationState, health)."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, need, text, time_at

_PHASES = {
    "running": "in_progress",
    "succeeded": "success",
    "failed": "failure",
    "error": "failure",
    "terminating": "cancelled",
}
HANDLED = frozenset(_PHASES)


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (text(payload, "operation_phase") or "").lower()


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    app, started, phase = text(payload, "app"), text(payload, "started_at"), text(payload, "operation_phase")
    return f"{app}:{started}:{phase}" if app and started and phase else None


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    app = need(p, "app")
    status = _PHASES.get(d.event_type)
    if status is None:
        return []
    started_at = time_at(p, "started_at")
    finished_at = time_at(p, "finished_at")
    occurred = first_time(finished_at if status != "in_progress" else None, started_at)
    revision = text(p, "revision")
    repo = h.repository_of_url(text(p, "repo_url"))
    owner = catalog.owner(app=app, repository=repo, service=app)
    started = status == "in_progress"
    key = f"{app}@{text(p, 'started_at') or revision}"
    return [
        Emitted(
            S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED,
            DeploymentChanged(
                id=deterministic_id("argocd", d.instance, key, status),
                occurred_at=occurred,
                source=f"argocd/{d.instance}",
                causation_id=d.id,
                provider="argocd",
                deployment_key=key,
                service=owner.service or app,
                environment=text(p, "environment") or h.environment_of(text(p, "destination_namespace"), app),
                status=status,
                version=revision,
                sha=revision,
                repository=repo or catalog.repository_of(owner.service),
                is_rollback=h.is_rollback(text(p, "trigger"), text(p, "message")),
                started_at=started_at,
                finished_at=None if started else (finished_at or occurred),
                url=text(p, "context_url"),
                actor=text(p, "initiated_by"),
                description=text(p, "message"),
                owner=owner,
            ),
        )
    ]
