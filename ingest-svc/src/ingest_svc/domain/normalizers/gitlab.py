"""GitLab: push, merge_request, pipeline, job (object_kind `build`) and deployment hooks."""

from __future__ import annotations

import re
from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import Commit, CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, get, integer, items, need, number, text, time_at

HANDLED = frozenset({"push", "merge_request", "pipeline", "build", "deployment"})
_MR = {
    "open": ("opened", S.PR_OPENED),
    "reopen": ("opened", S.PR_OPENED),
    "merge": ("merged", S.PR_MERGED),
    "close": ("closed", S.PR_CLOSED),
    "approved": ("reviewed", S.PR_REVIEWED),
    "approval": ("reviewed", S.PR_REVIEWED),
}


# A full commit id (SHA-1, or SHA-256 for repositories in that object format) at the end of a URL.
_COMMIT_URL_SHA = re.compile(r"/commit/([0-9a-f]{40}|[0-9a-f]{64})/?$")


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "object_kind") or ""


def _deployed_sha(p: Any) -> str | None:
    """The deployed commit's full sha: the deployment hook gives only `short_sha`, but its `commit_url`
    ends with the full one. Pushes carry full shas, so an abbreviated one would never match the
    commits a deployment contains (no lead time) nor another deployment's commit."""
    short = text(p, "short_sha")
    m = _COMMIT_URL_SHA.search(text(p, "commit_url") or "")
    if m and (not short or m[1].startswith(short.lower())):
        return m[1]
    return short


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return headers.get("x-gitlab-event-uuid") or headers.get("idempotency-key")


def _repo(p: Any) -> str:
    return text(p, "project", "path_with_namespace") or need(p, "project_name")


def _job_repo(p: Any) -> str:
    """Job hooks carry no `project` object: `project_name` is the display name (`John Smith /
    release-tools-fake`), not the path pushes use (`jsmithy2/release-tools-fake`); the repository's
    URLs name the path."""
    return (
        text(p, "project", "path_with_namespace")
        or h.repository_of_url(text(p, "repository", "homepage"))
        or h.repository_of_url(text(p, "repository", "git_http_url"))
        or h.repository_of_url(text(p, "repository", "git_ssh_url"))
        or need(p, "project_name").replace(" ", "")
    )


# Statuses of a pipeline or job that has not finished (docs.gitlab.com, "Webhook events").
_UNFINISHED = frozenset(
    {
        "created",
        "pending",
        "running",
        "waiting_for_resource",
        "waiting_for_callback",
        "preparing",
        "scheduled",
        "manual",
        "canceling",
    }
)


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    src = f"gitlab/{d.instance}"
    repo = _job_repo(p) if d.event_type == "build" else _repo(p)
    owner = catalog.owner(repository=repo, organization=text(p, "project", "namespace"))
    if d.event_type == "push":
        ref = need(p, "ref")
        after = need(p, "after")
        if not ref.startswith("refs/heads/") or set(after) == {"0"}:
            return []
        commits = [
            Commit(
                sha=need(c, "id"),
                committed_at=time_at(c, "timestamp"),
                author=text(c, "author", "name"),
                message=text(c, "message"),
            )
            for c in items(p, "commits")
        ]
        branch = ref.removeprefix("refs/heads/")
        times = [c.committed_at for c in commits if c.committed_at]
        if not times:
            # A branch created at an existing commit (commits []): the hook carries no time at all,
            # and no commit reached the repository with it; nothing to say, rather than a failure.
            return []
        occurred = max(times)
        return [
            Emitted(
                S.COMMIT_PUSHED,
                CommitsPushed(
                    id=deterministic_id("gitlab", repo, "push", branch, after),
                    occurred_at=occurred,
                    source=src,
                    causation_id=d.id,
                    repository=repo,
                    branch=branch,
                    before_sha=h.real_sha(text(p, "before")),
                    after_sha=after,
                    commits=commits,
                    pusher=text(p, "user_username") or text(p, "user_name"),
                    owner=owner,
                ),
            )
        ]
    if d.event_type == "merge_request":
        a = get(p, "object_attributes")
        mapped = _MR.get(text(a, "action") or "")
        if mapped is None:
            return []
        kind, subject = mapped
        iid = integer(a, "iid")
        if iid is None:
            need(a, "iid")
            return []
        occurred = first_time(
            time_at(a, "updated_at") if kind != "opened" else time_at(a, "created_at"),
            time_at(a, "updated_at"),
        )
        title = text(a, "title") or ""
        labels = [t for t in (text(x, "title") for x in items(p, "labels") or items(a, "labels")) if t]
        reviewers = [r for r in (text(x, "username") for x in items(p, "reviewers")) if r]
        if kind == "reviewed" and (approver := text(p, "user", "username")):
            # An approval hook's `user` is the approver: the review that was given.
            reviewers = [approver, *[r for r in reviewers if r != approver]]
        return [
            Emitted(
                subject,
                PullRequestChanged(
                    id=deterministic_id("gitlab", repo, "mr", iid, kind, occurred.isoformat()),
                    occurred_at=occurred,
                    source=src,
                    causation_id=d.id,
                    repository=repo,
                    number=iid,
                    title=title,
                    action=kind,
                    author=text(p, "user", "username") if kind == "opened" else None,
                    url=text(a, "url"),
                    source_branch=text(a, "source_branch"),
                    target_branch=text(a, "target_branch"),
                    head_sha=text(a, "last_commit", "id"),
                    # A squash merge leaves merge_commit_sha null (no merge commit) and the squashed
                    # commit, the one on the target branch, in squash_commit_sha.
                    merge_sha=text(a, "merge_commit_sha") or text(a, "squash_commit_sha"),
                    created_at=time_at(a, "created_at"),
                    first_review_at=occurred if kind == "reviewed" else None,
                    merged_at=occurred if kind == "merged" else None,
                    closed_at=occurred if kind == "closed" else None,
                    reviewers=reviewers,
                    labels=labels,
                    linked_tickets=h.ticket_keys(title, text(a, "source_branch"), text(a, "description")),
                    body=text(a, "description"),
                    owner=owner,
                ),
            )
        ]
    if d.event_type == "pipeline":
        a = get(p, "object_attributes")
        status = text(a, "status") or ""
        if status in _UNFINISHED:
            return []
        ext = need(a, "id")
        finished = time_at(a, "finished_at")
        occurred = first_time(finished, time_at(a, "created_at"))
        ci = h.ci_status(status)
        return [
            Emitted(
                S.BUILD_FINISHED,
                BuildFinished(
                    id=deterministic_id("gitlab", repo, "pipeline", ext, ci),
                    occurred_at=occurred,
                    source=src,
                    causation_id=d.id,
                    provider="gitlab",
                    kind="pipeline",
                    external_id=ext,
                    name=text(a, "name") or f"pipeline {ext}",
                    status=ci,
                    repository=repo,
                    branch=None if get(a, "tag") is True else text(a, "ref"),
                    sha=text(a, "sha"),
                    started_at=time_at(a, "created_at"),
                    finished_at=finished,
                    duration_s=number(a, "duration"),
                    url=text(p, "project", "web_url"),
                    owner=owner,
                ),
            )
        ]
    if d.event_type == "build":
        status = text(p, "build_status") or ""
        if status in _UNFINISHED:
            return []
        ext = need(p, "build_id")
        ci = h.ci_status(status)
        finished = time_at(p, "build_finished_at")
        started = time_at(p, "build_started_at")
        occurred = first_time(finished, started, time_at(p, "build_created_at"))
        name = text(p, "build_name") or f"job {ext}"
        return [
            Emitted(
                S.BUILD_FINISHED,
                BuildFinished(
                    id=deterministic_id("gitlab", repo, "job", ext, ci),
                    occurred_at=occurred,
                    source=src,
                    causation_id=d.id,
                    provider="gitlab",
                    kind="job",
                    external_id=ext,
                    name=name,
                    status=ci,
                    repository=repo,
                    branch=None if get(p, "tag") is True else text(p, "ref"),
                    sha=text(p, "sha"),
                    started_at=started,
                    finished_at=finished,
                    duration_s=number(p, "build_duration"),
                    owner=owner,
                ),
            )
        ]
    if d.event_type == "deployment":
        status = {
            "success": "success",
            "failed": "failure",
            "canceled": "cancelled",
            "running": "in_progress",
        }.get(text(p, "status") or "")
        if status is None:
            return []
        key = need(p, "deployment_id")
        occurred = first_time(time_at(p, "status_changed_at"))
        started = status == "in_progress"
        return [
            Emitted(
                S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED,
                DeploymentChanged(
                    id=deterministic_id("gitlab", repo, "deployment", key, status),
                    occurred_at=occurred,
                    source=src,
                    causation_id=d.id,
                    provider="gitlab",
                    deployment_key=f"{repo}#{key}",
                    service=owner.service or repo.split("/")[-1],
                    environment=text(p, "environment") or "production",
                    status=status,
                    version=text(p, "ref"),
                    sha=_deployed_sha(p),
                    ref=text(p, "ref"),
                    repository=repo,
                    is_rollback=h.is_rollback(text(p, "commit_title")),
                    finished_at=None if started else occurred,
                    url=text(p, "deployable_url"),
                    actor=text(p, "user", "username"),
                    description=text(p, "commit_title"),
                    owner=owner,
                ),
            )
        ]
    return []
