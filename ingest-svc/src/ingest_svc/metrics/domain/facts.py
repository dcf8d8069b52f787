"""The facts the DORA classification reads, as plain frozen values (loaded by the repository)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DeploymentFact:
    """One finished production deployment (success, or failure = a failed attempt)."""

    key: str
    service: str
    environment: str
    status: str  # success | failure
    finished_at: datetime
    team: str | None = None
    repository: str | None = None
    sha: str | None = None
    version: str | None = None
    ref: str | None = None
    is_rollback: bool = False
    is_hotfix: bool = False
    # Ids an incident may use to link this deployment: the deployment key and its event ids.
    aliases: tuple[str, ...] = ()
    # The commits the source says this deployment contains (empty: derive from pushes).
    commit_range: tuple[str, ...] = ()
    # Earliest finish of any successful deployment of the same version in this service and environment.
    version_first_deployed_at: datetime | None = None


@dataclass(frozen=True)
class IncidentFact:
    id: str
    opened_at: datetime
    severity: str = "medium"
    service: str | None = None
    team: str | None = None
    environment: str | None = None
    resolved_at: datetime | None = None
    linked_deployments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevertFact:
    """A merged revert of `sha` at `at` (from a revert commit or a merged revert pull request)."""

    id: str
    sha: str
    at: datetime


@dataclass(frozen=True)
class BranchCommit:
    sha: str
    pushed_at: datetime


@dataclass(frozen=True)
class Outcome:
    """The classification of one deployment: what every DORA figure is computed from."""

    key: str
    service: str
    environment: str
    finished_at: datetime
    status: str  # success | failed | pending | attempt_failed
    team: str | None = None
    repository: str | None = None
    cause: str | None = None  # incident_linked | incident_window | rollback | revert | hotfix
    incident_ids: tuple[str, ...] = ()
    failure_at: datetime | None = None
    recovered_at: datetime | None = None
    recovered_by: str | None = None
    rework: str | None = None  # hotfix | recovery
    window_end: datetime | None = None
    commits: tuple[str, ...] = ()
    leads: tuple[tuple[str, float], ...] = field(default=())

    @property
    def recovery_s(self) -> float | None:
        if self.failure_at is None or self.recovered_at is None:
            return None
        return max(0.0, (self.recovered_at - self.failure_at).total_seconds())
