"""CI events: a pipeline, workflow or job finished."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class BuildFinished(Event, frozen=True, kw_only=True):
    """`ci.build.finished`: status is success | failure | cancelled | skipped | error."""

    provider: str
    kind: str  # pipeline | workflow | job
    external_id: str
    name: str
    status: str
    repository: str | None = None
    branch: str | None = None
    sha: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    url: str | None = None
    owner: Ownership = Ownership()
