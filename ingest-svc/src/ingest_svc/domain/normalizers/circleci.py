"""CircleCI outbound webhooks: workflow-completed and job-completed."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.cibuild import finished
from ingest_svc.domain.normalizers.fields import first_time, get, need, text, time_at

HANDLED = frozenset({"workflow-completed", "job-completed", "ping"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "type") or headers.get("circleci-event-type", "")


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return text(payload, "id")


def _repo(p: Any) -> str | None:
    """`github/org/repo` project slugs name the repository; GitLab and GitHub App projects have opaque
    slugs (`circleci/<org id>/<project id>`), so their pipeline's repository URL names it."""
    slug = text(p, "project", "slug") or ""
    parts = slug.split("/")
    if len(parts) == 3 and parts[0] in ("github", "gh", "bitbucket", "bb"):
        return f"{parts[1]}/{parts[2]}"
    vcs = get(p, "pipeline", "vcs")
    return (
        h.repository_of_url(text(vcs, "target_repository_url"))
        or h.repository_of_url(text(vcs, "origin_repository_url"))
        or text(p, "project", "name")
    )


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    if d.event_type == "ping":
        return []
    repo = _repo(p)
    owner = catalog.owner(repository=repo, organization=text(p, "organization", "name"))
    vcs = get(p, "pipeline", "vcs")
    common: dict[str, Any] = {
        "repository": repo,
        "branch": text(vcs, "branch"),
        "sha": text(vcs, "revision"),
        "owner": owner,
        "provider": "circleci",
    }
    wf = get(p, "workflow")
    # A workflow and its jobs are one deployment per environment (see `cibuild.finished`).
    group = f"workflow:{wf_id}" if (wf_id := text(wf, "id")) else None
    if d.event_type == "workflow-completed":
        stopped = time_at(wf, "stopped_at")
        return finished(
            d,
            kind="workflow",
            deploy_group=group,
            deploy_at=time_at(wf, "created_at"),
            external_id=need(wf, "id"),
            name=text(wf, "name") or "workflow",
            status=h.ci_status(text(wf, "status")),
            occurred_at=first_time(stopped, time_at(p, "happened_at")),
            started_at=time_at(wf, "created_at"),
            finished_at=stopped,
            url=text(wf, "url"),
            **common,
        )
    job = get(p, "job")
    stopped = time_at(job, "stopped_at")
    return finished(
        d,
        kind="job",
        external_id=need(job, "id"),
        name=text(job, "name") or "job",
        status=h.ci_status(text(job, "status")),
        occurred_at=first_time(stopped, time_at(p, "happened_at")),
        started_at=time_at(job, "started_at"),
        finished_at=stopped,
        url=text(wf, "url"),
        deploy_names=(text(wf, "name"),),
        deploy_group=group,
        **common,
    )
