"""A finished CI build, plus a deployment when the job or workflow is a deploy (CircleCI, Jenkins)."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.subjects import S

from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h


def finished(
    d: Delivery,
    *,
    provider: str,
    kind: str,
    external_id: str,
    name: str,
    status: str,
    occurred_at: datetime,
    owner: Ownership,
    repository: str | None = None,
    branch: str | None = None,
    sha: str | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    url: str | None = None,
    deploy_names: tuple[str | None, ...] = (),
    deploy_group: str | None = None,
    deploy_at: datetime | None = None,
) -> list[Emitted]:
    """The build event, plus a deployment when the build's name says it deploys.

    `deploy_group` names what a workflow and its jobs share (the workflow run): when a CI system
    reports both, their deployments to one environment share a key and merge into one. The
    workflow's event then passes `deploy_at` (its start), so a job's later event wins the merge with
    the job's own finish, and the workflow's event stands alone when no job is reported.
    """
    duration = (finished_at - started_at).total_seconds() if finished_at and started_at else None
    src = f"{d.source}/{d.instance}"
    out = [
        Emitted(
            S.BUILD_FINISHED,
            BuildFinished(
                id=deterministic_id(provider, kind, external_id, status),
                occurred_at=occurred_at,
                source=src,
                causation_id=d.id,
                provider=provider,
                kind=kind,
                external_id=external_id,
                name=name,
                status=status,
                repository=repository,
                branch=branch,
                sha=sha,
                started_at=started_at,
                finished_at=finished_at,
                duration_s=duration,
                url=url,
                owner=owner,
            ),
        )
    ]
    if h.is_deploy(name, *deploy_names):
        env = h.environment_of(name, *deploy_names)
        out.append(
            Emitted(
                S.DEPLOYMENT_FINISHED,
                DeploymentChanged(
                    id=deterministic_id(provider, "deploy", kind, external_id, status),
                    occurred_at=deploy_at or occurred_at,
                    source=src,
                    causation_id=d.id,
                    provider=provider,
                    deployment_key=f"{deploy_group}:{env}"
                    if deploy_group
                    else f"{provider}:{kind}:{external_id}",
                    service=owner.service or (repository or name).split("/")[-1],
                    environment=env,
                    status=h.deploy_status(status),
                    sha=sha,
                    ref=branch,
                    repository=repository,
                    is_rollback=h.is_rollback(name, *deploy_names),
                    started_at=started_at,
                    finished_at=finished_at,
                    url=url,
                    owner=owner,
                ),
            )
        )
    return out
