"""GitHub (and GitHub Actions): push, pull_request(+review), workflow_run/job, check_run, deployments."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import Commit, CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, get, integer, items, need, text, time_at
from ingest_svc.domain.normalizers.github_payload import GitHubPayload

HANDLED = frozenset(
    {
        "ping",
        "push",
        "pull_request",
        "pull_request_review",
        "workflow_run",
        "workflow_job",
        "check_run",
        "deployment",
        "deployment_status",
    }
)


# event_type and dedup_key read only headers.
HEADER_KEYED = True
# Payloads are decoded into the fields this module reads (about a third of a full decode's cost).
PAYLOAD_TYPE = GitHubPayload


def event_type(headers: dict[str, str], payload: Any) -> str:
    return headers.get("x-github-event", "")


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return headers.get("x-github-delivery")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    repo = need(p, "repository", "full_name")
    owner = catalog.owner(
        repository=repo,
        organization=text(p, "organization", "login") or text(p, "repository", "owner", "login"),
    )
    match d.event_type:
        case "push":
            return _push(d, p, repo, owner)
        case "pull_request" | "pull_request_review":
            return _pull_request(d, p, repo, owner)
        case "workflow_run" | "workflow_job" | "check_run":
            return _build(d, p, repo, owner)
        case "deployment" | "deployment_status":
            return _deployment(d, p, repo, owner)
    return []


def _push(d: Delivery, p: Any, repo: str, owner: Any) -> list[Emitted]:
    ref = need(p, "ref")
    if not ref.startswith("refs/heads/") or get(p, "deleted") is True:
        return []  # tags and branch deletions push no commits to a branch
    after = need(p, "after")
    commits = [
        Commit(
            sha=need(c, "id"),
            committed_at=time_at(c, "timestamp"),
            author=text(c, "author", "username") or text(c, "author", "name"),
            message=text(c, "message"),
        )
        for c in items(p, "commits")
    ]
    # The push's own time is `repository.pushed_at`; `head_commit.timestamp` is when the head was
    # committed, which for a fast-forward or a merge of older work is days before it reached the
    # branch (and two pushes of one commit to two branches would tie). A push is never earlier than
    # its head commit, so a `pushed_at` older than it (a stale or replayed repository object) loses.
    pushed_at = time_at(p, "repository", "pushed_at")
    head_at = time_at(p, "head_commit", "timestamp")
    occurred = max(pushed_at, head_at) if pushed_at and head_at else first_time(pushed_at, head_at)
    branch = ref.removeprefix("refs/heads/")
    event = CommitsPushed(
        id=deterministic_id("github", repo, "push", branch, after),
        occurred_at=occurred,
        source=f"github/{d.instance}",
        causation_id=d.id,
        repository=repo,
        branch=branch,
        before_sha=h.real_sha(text(p, "before")),
        after_sha=after,
        commits=commits,
        pusher=text(p, "pusher", "name"),
        forced=get(p, "forced") is True,
        owner=owner,
    )
    return [Emitted(S.COMMIT_PUSHED, event)]


def _pull_request(d: Delivery, p: Any, repo: str, owner: Any) -> list[Emitted]:
    pr = get(p, "pull_request")
    action = text(p, "action")
    if d.event_type == "pull_request_review":
        if action != "submitted":
            return []
        reviewer = text(p, "review", "user", "login")
        if reviewer and reviewer == text(pr, "user", "login"):
            # The author answering a review thread makes a `commented` review of their own pull
            # request: not a review, and as the first one it would end the pickup time at once.
            return []
        kind, subject, occurred = "reviewed", S.PR_REVIEWED, time_at(p, "review", "submitted_at")
    elif action in ("opened", "reopened"):
        kind, subject, occurred = "opened", S.PR_OPENED, time_at(pr, "created_at")
    elif action == "closed" and get(pr, "merged") is True:
        kind, subject, occurred = "merged", S.PR_MERGED, time_at(pr, "merged_at")
    elif action == "closed":
        kind, subject, occurred = "closed", S.PR_CLOSED, time_at(pr, "closed_at")
    else:
        return []
    number_ = integer(pr, "number")
    if number_ is None:
        need(pr, "number")
        return []
    occurred_at = first_time(occurred, time_at(pr, "updated_at"))
    title = text(pr, "title") or ""
    branch = text(pr, "head", "ref")
    reviewers = [r for r in (text(x, "login") for x in items(pr, "requested_reviewers")) if r]
    if kind == "reviewed" and (login := text(p, "review", "user", "login")):
        reviewers = [login, *[r for r in reviewers if r != login]]
    event = PullRequestChanged(
        id=deterministic_id(
            "github", repo, "pr", number_, kind, occurred_at.isoformat(), text(p, "review", "id")
        ),
        occurred_at=occurred_at,
        source=f"github/{d.instance}",
        causation_id=d.id,
        repository=repo,
        number=number_,
        title=title,
        action=kind,
        author=text(pr, "user", "login"),
        url=text(pr, "html_url"),
        source_branch=branch,
        target_branch=text(pr, "base", "ref"),
        head_sha=text(pr, "head", "sha"),
        merge_sha=text(pr, "merge_commit_sha") if kind == "merged" else None,
        created_at=time_at(pr, "created_at"),
        first_review_at=time_at(p, "review", "submitted_at"),
        merged_at=time_at(pr, "merged_at"),
        closed_at=time_at(pr, "closed_at"),
        additions=integer(pr, "additions"),
        deletions=integer(pr, "deletions"),
        changed_files=integer(pr, "changed_files"),
        reviewers=reviewers,
        labels=[n for n in (text(x, "name") for x in items(pr, "labels")) if n],
        linked_tickets=h.ticket_keys(title, branch, text(pr, "body")),
        body=text(pr, "body"),
        owner=owner,
    )
    return [Emitted(subject, event)]


def _build(d: Delivery, p: Any, repo: str, owner: Any) -> list[Emitted]:
    key = {"workflow_run": "workflow_run", "workflow_job": "workflow_job", "check_run": "check_run"}[
        d.event_type
    ]
    run = get(p, key)
    if text(p, "action") != "completed" or text(run, "status") != "completed":
        return []  # queued / in_progress: only finished builds are facts worth counting
    if text(run, "conclusion") == "action_required":
        # Completed without running: a fork's workflow awaiting approval, or a check waiting on the
        # user. Neither a failure (nor, for a deploy workflow, a failed deployment attempt); the
        # approved run reports its own conclusion later.
        return []
    kind = "workflow" if key == "workflow_run" else "job"
    external = need(run, "id")
    started = time_at(run, "run_started_at") or time_at(run, "started_at") or time_at(run, "created_at")
    finished = time_at(run, "completed_at") or time_at(run, "updated_at")
    occurred = first_time(finished, started)
    status = h.ci_status(text(run, "conclusion"))
    name = text(run, "name") or text(run, "workflow_name") or key
    branch = text(run, "head_branch") or text(run, "check_suite", "head_branch")
    sha = text(run, "head_sha")
    duration = (finished - started).total_seconds() if finished and started else None
    attempt = integer(run, "run_attempt") or 1
    build = BuildFinished(
        id=deterministic_id("github", repo, kind, external, attempt, status),
        occurred_at=occurred,
        source=f"github/{d.instance}",
        causation_id=d.id,
        provider="github_actions" if key != "check_run" else "github_checks",
        kind=kind,
        external_id=external,
        name=name,
        status=status,
        repository=repo,
        branch=branch,
        sha=sha,
        started_at=started,
        finished_at=finished,
        duration_s=duration,
        url=text(run, "html_url"),
        owner=owner,
    )
    out = [Emitted(S.BUILD_FINISHED, build)]
    workflow = text(run, "workflow_name")
    if key != "check_run" and h.is_deploy(name, workflow):
        env = h.environment_of(name, workflow)
        # A run attempt and its jobs make one deployment per environment: GitHub sends `workflow_run`
        # for the run and `workflow_job` for each job when both are subscribed, so both are keyed by
        # the run attempt and merge into one deployment. The run's event counts as of the run's
        # start, so a job's (later) event wins the merge with its own finish; alone, the run's stands.
        run_id = external if key == "workflow_run" else text(run, "run_id")
        deploy_key = f"{repo}#run{run_id}.{attempt}:{env}" if run_id else f"{repo}#{kind}{external}"
        out.append(
            Emitted(
                S.DEPLOYMENT_FINISHED,
                DeploymentChanged(
                    id=deterministic_id("github", repo, "deploy-job", external, attempt, status),
                    occurred_at=(started or occurred) if key == "workflow_run" else occurred,
                    source=f"github/{d.instance}",
                    causation_id=d.id,
                    provider="github_actions",
                    deployment_key=deploy_key,
                    service=owner.service or repo.split("/")[-1],
                    environment=env,
                    status=h.deploy_status(status),
                    sha=sha,
                    ref=branch,
                    repository=repo,
                    is_rollback=h.is_rollback(name, workflow),
                    started_at=started,
                    finished_at=finished,
                    url=text(run, "html_url"),
                    owner=owner,
                ),
            )
        )
    return out


_DEPLOY_STATES = {
    "success": "success",
    "failure": "failure",
    "error": "failure",
    "inactive": None,
    "in_progress": "in_progress",
    "queued": None,
    "pending": None,
}


def _deployment(d: Delivery, p: Any, repo: str, owner: Any) -> list[Emitted]:
    dep = get(p, "deployment")
    if d.event_type == "deployment":
        return []  # `created` means requested; deployment_status tells us when it really starts
    state = text(p, "deployment_status", "state") or ""
    status = _DEPLOY_STATES.get(state)
    if status is None:
        return []
    key = need(dep, "id")
    occurred = first_time(time_at(p, "deployment_status", "created_at"), time_at(dep, "updated_at"))
    env = text(p, "deployment_status", "environment") or text(dep, "environment") or "production"
    description = text(p, "deployment_status", "description") or text(dep, "description")
    started = status == "in_progress"
    event = DeploymentChanged(
        id=deterministic_id("github", repo, "deployment", key, status),
        occurred_at=occurred,
        source=f"github/{d.instance}",
        causation_id=d.id,
        provider="github",
        deployment_key=f"{repo}#{key}",
        service=owner.service or repo.split("/")[-1],
        environment=env,
        status=status,
        version=text(dep, "ref"),
        sha=text(dep, "sha"),
        ref=text(dep, "ref"),
        repository=repo,
        is_rollback=h.is_rollback(description, text(dep, "task")) or get(dep, "payload", "rollback") is True,
        started_at=time_at(dep, "created_at"),
        finished_at=None if started else occurred,
        url=text(p, "deployment_status", "target_url") or text(p, "deployment_status", "log_url") or None,
        actor=text(p, "deployment_status", "creator", "login") or text(dep, "creator", "login"),
        description=description or None,
        owner=owner,
    )
    subject = S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED
    return [Emitted(subject, event)]
