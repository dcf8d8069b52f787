"""Canonical events -> fact rows (pure), shared by the event handlers and the benchmark's COPY.

Each row carries its natural key; the repository's upserts merge rows so that the stored fact is
the same whatever order the events arrive in and however often one repeats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.quality import QualityReported

from ingest_svc.metrics.domain.buckets import local_day
from ingest_svc.metrics.domain.rules import Rules, normalize_ref, reverted_pr_numbers, reverted_shas

FINISHED = ("success", "failure", "cancelled", "error")


_HEX = frozenset("0123456789abcdef")


def repository_key(name: str | None) -> str | None:
    """A repository as the facts store it: in lower case. GitHub and GitLab resolve `Acme/Checkout`
    and `acme/checkout` to one repository, and names typed by people (the service catalog, an Argo CD
    `repo_url`, a Jenkins `scm.url`) often differ in case from the name push events carry: a
    deployment must still find its pushes."""
    return name.strip().lower() if name else name


def environment_key(name: str | None) -> str | None:
    """An environment as the facts store it: in lower case. GitHub environment names ignore case
    (`Production-EU` and `production-eu` are one environment, so one timeline), and incidents already
    match environments ignoring case."""
    return name.lower() if name else name


def abbreviated(sha: str | None) -> bool:
    """A commit id shorter than a full SHA-1 (git abbreviates to 7 or more hex digits)."""
    return sha is not None and 7 <= len(sha) < 40 and _HEX.issuperset(sha)


def deployment_key(e: DeploymentChanged) -> str:
    return f"{e.provider}:{e.deployment_key}"


def deployment_row(e: DeploymentChanged, rules: Rules) -> dict[str, Any]:
    finished = e.status in FINISHED
    return {
        "key": deployment_key(e),
        "service": e.service or e.owner.service or "unknown",
        "environment": environment_key(e.environment),
        "production": rules.is_production(e.environment),
        "status": e.status,
        "rank": 1 if finished else 0,
        "event_at": e.occurred_at,
        "event_id": e.id,
        "team": e.owner.team,
        "repository": repository_key(e.repository or e.owner.repository),
        "sha": e.sha,
        "version": e.version,
        "ref": normalize_ref(e.ref),
        "commit_range": list(e.commit_range),
        "is_rollback": e.is_rollback,
        "is_hotfix": rules.is_hotfix([e.ref, e.version, e.description]),
        "finished_at": (e.finished_at or e.occurred_at) if finished else None,
        "aliases": sorted({e.id, e.deployment_key, deployment_key(e)}),
    }


def push_rows(e: CommitsPushed) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(branch commits in push order, commits, reverts found in commit messages)."""
    branch = normalize_ref(e.branch) or e.branch
    repository = repository_key(e.repository)
    shas = [c.sha for c in e.commits]
    if e.after_sha and e.after_sha not in shas and not set(e.after_sha) <= {"0"}:
        shas.append(e.after_sha)
    branch_rows = [
        {"repository": repository, "branch": branch, "sha": sha, "pushed_at": e.occurred_at, "idx": i}
        for i, sha in enumerate(shas)
    ]
    commit_rows, revert_rows = [], []
    for c in e.commits:
        commit_rows.append({"sha": c.sha, "repository": repository, "committed_at": c.committed_at})
        for reverted in reverted_shas(c.message):
            revert_rows.append(
                {
                    "id": c.sha,
                    "repository": repository,
                    "sha": reverted,
                    "pr_number": None,
                    "at": c.committed_at or e.occurred_at,
                }
            )
    return branch_rows, commit_rows, revert_rows


def pull_request_row(e: PullRequestChanged, rules: Rules) -> dict[str, Any]:
    return {
        "repository": repository_key(e.repository),
        "number": e.number,
        "event_at": e.occurred_at,
        "event_id": e.id,
        "title": e.title,
        "service": e.owner.service,
        "team": e.owner.team,
        "author": e.author,
        "merge_sha": e.merge_sha,
        "commit_shas": sorted(set(e.commit_shas)),
        "created_at": e.created_at,
        "first_commit_at": e.first_commit_at,
        "first_review_at": e.first_review_at,
        "merged_at": e.merged_at if e.action == "merged" or e.merged_at else None,
        "closed_at": e.closed_at,
        "additions": e.additions,
        "deletions": e.deletions,
        "is_hotfix": rules.is_hotfix([e.source_branch, e.title, *e.labels]),
    }


def pr_revert_rows(e: PullRequestChanged) -> list[dict[str, Any]]:
    """A merged revert pull request reverts every commit of the pull requests it names."""
    if e.action != "merged" and e.merged_at is None:
        return []
    at = e.merged_at or e.occurred_at
    return [
        {
            "id": f"{repository_key(e.repository)}#{e.number}->{n}",
            "repository": repository_key(e.repository),
            "sha": None,
            "pr_number": n,
            "at": at,
        }
        for n in reverted_pr_numbers(e.body, e.title if e.title.lower().startswith("revert") else None)
    ]


def incident_row(e: IncidentChanged, tz: ZoneInfo) -> dict[str, Any]:
    inc = e.incident
    linked = set(inc.linked_deployment_ids)
    return {
        "id": inc.id,
        "sequence": e.sequence,
        "event_at": e.occurred_at,
        "event_id": e.id,
        "severity": inc.severity,
        "service": inc.service,
        "team": inc.team,
        "environment": environment_key(inc.environment),
        "opened_at": inc.opened_at,
        "resolved_at": inc.resolved_at or (inc.closed_at if inc.state in ("resolved", "closed") else None),
        "day": local_day(inc.opened_at, tz),
        "linked": sorted(linked),
    }


def build_row(e: BuildFinished) -> dict[str, Any]:
    finished: datetime = e.finished_at or e.occurred_at
    duration = e.duration_s
    if duration is None and e.started_at is not None:
        duration = (finished - e.started_at).total_seconds()
    return {
        "key": f"{e.provider}:{e.external_id}",
        "event_at": e.occurred_at,
        "event_id": e.id,
        "name": e.name,
        "status": e.status,
        "service": e.owner.service,
        "team": e.owner.team,
        "repository": repository_key(e.repository or e.owner.repository),
        "finished_at": finished,
        "duration_s": duration,
    }


def quality_row(e: QualityReported) -> dict[str, Any]:
    return {
        "id": e.id,
        "tool": e.tool,
        "kind": e.kind,
        "project": e.project,
        "service": e.owner.service,
        "team": e.owner.team,
        "repository": repository_key(e.owner.repository),
        "at": e.occurred_at,
        "coverage_pct": e.coverage_pct,
        "gate_status": e.gate_status,
        "issue_counts": dict(e.issue_counts),
    }
