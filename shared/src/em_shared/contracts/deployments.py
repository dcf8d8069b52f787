"""Deployment events: the raw material of DORA's deployment frequency, lead time and failure rate."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class DeploymentChanged(Event, frozen=True, kw_only=True):
    """`deploy.deployment.started` / `deploy.deployment.finished`.

    `status` is in_progress | success | failure | cancelled. `deployment_key` identifies one
    deployment across its started/finished events (vendor deployment id). `commit_range` is the
    list of shas the vendor says the deployment contains, when it says so; otherwise the metrics
    module derives the range from pushes to `ref`.
    """

    provider: str
    deployment_key: str
    service: str
    environment: str
    status: str
    version: str | None = None
    sha: str | None = None
    ref: str | None = None
    repository: str | None = None
    previous_sha: str | None = None
    commit_range: list[str] = []
    is_rollback: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    url: str | None = None
    actor: str | None = None
    description: str | None = None
    owner: Ownership = Ownership()
