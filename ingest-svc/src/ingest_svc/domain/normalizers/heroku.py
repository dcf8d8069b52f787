"""Heroku app webhooks: `api:release` create/update become deployments (rollbacks are named so)."""

from __future__ import annotations

import re
from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, get, need, text, time_at

HANDLED = frozenset({"api:release"})
_STATUS = {"succeeded": "success", "failed": "failure", "pending": "in_progress"}
# A release built from source says `Deploy <commit>` (the first 8 hex digits of the built commit); the
# release's `slug` names only the slug id, so this is the commit a release webhook carries.
_DEPLOY_COMMIT = re.compile(r"^Deploy ([0-9a-f]{7,40})\b")


def _commit_of(data: Any, description: str | None) -> str | None:
    """The deployed commit: the slug's when a payload embeds it, else the one `Deploy <sha>` names
    (abbreviated: the metrics module resolves it against the repository's pushes)."""
    if isinstance(get(data, "slug"), dict) and (sha := text(data, "slug", "commit")):
        return sha
    m = _DEPLOY_COMMIT.match(description or "")
    return m[1] if m else None


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "webhook_metadata", "event", "include") or f"api:{text(payload, 'resource') or ''}"


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    # The event id is stable across Heroku's retry attempts of one event (the attempt id is not).
    return text(payload, "id")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    data = get(p, "data")
    status = _STATUS.get(text(data, "status") or "")
    if status is None:
        return []
    app = need(data, "app", "name")
    release = need(data, "id")
    version = text(data, "version")
    description = text(data, "description")
    occurred = first_time(time_at(data, "updated_at"), time_at(p, "updated_at"), time_at(p, "created_at"))
    owner = catalog.owner(app=app, service=app)
    started = status == "in_progress"
    return [
        Emitted(
            S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED,
            DeploymentChanged(
                id=deterministic_id("heroku", app, release, status),
                occurred_at=occurred,
                source=f"heroku/{d.instance}",
                causation_id=d.id,
                provider="heroku",
                deployment_key=f"{app}#{release}",
                service=owner.service or app,
                environment=h.environment_of(app),
                status=status,
                version=f"v{version}" if version else None,
                sha=_commit_of(data, description),
                repository=catalog.repository_of(owner.service),
                is_rollback=(description or "").lower().startswith("rollback"),
                started_at=time_at(data, "created_at"),
                finished_at=None if started else occurred,
                actor=text(data, "user", "email"),
                description=description,
                owner=owner,
            ),
        )
    ]
