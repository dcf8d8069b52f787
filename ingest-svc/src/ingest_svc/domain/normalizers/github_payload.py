"""The parts of GitHub's webhook payloads that `github.normalize` reads, as msgspec types.

A GitHub payload is mostly things no event needs: `repository`, `sender`, `organization` and each of
a pull request's `head.repo` and `base.repo` carry dozens of URLs apiece. Decoding a 24 KB
`pull_request` payload into Python objects costs ~30 us and a thousand allocations; decoding it
into these types skips the rest in C and costs ~9 us (docs/performance.md, "Ingest"). The decoded
value is turned back into plain dicts and lists holding only these fields, so the normalizer reads
it exactly as it reads a full decode.

Every leaf is `Any` (kept whole, whatever its JSON type). A payload whose shape differs from these
types where they nest (say `pull_request` is a string) fails this decode with a ValidationError and
is decoded in full instead (`intake.decode`): the projection only ever saves work, it never refuses
a delivery. A test checks that every GitHub fixture normalizes to the same events either way; a
field the normalizer starts to read must be added here (that test fails until it is).
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType


class _Fields(msgspec.Struct, omit_defaults=True):
    """Absent fields stay absent (UNSET is never encoded), so the dicts match a full decode."""


class _Login(_Fields):
    login: Any = UNSET


class _Name(_Fields):
    name: Any = UNSET


class _Author(_Fields):
    username: Any = UNSET
    name: Any = UNSET


class _Repository(_Fields):
    full_name: Any = UNSET
    owner: _Login | UnsetType | None = UNSET
    pushed_at: Any = UNSET


class _Commit(_Fields):
    id: Any = UNSET
    timestamp: Any = UNSET
    author: _Author | UnsetType | None = UNSET
    message: Any = UNSET


class _HeadCommit(_Fields):
    timestamp: Any = UNSET


class _Branch(_Fields):
    ref: Any = UNSET
    sha: Any = UNSET


class _PullRequest(_Fields):
    number: Any = UNSET
    title: Any = UNSET
    user: _Login | UnsetType | None = UNSET
    html_url: Any = UNSET
    head: _Branch | UnsetType | None = UNSET
    base: _Branch | UnsetType | None = UNSET
    merge_commit_sha: Any = UNSET
    merged: Any = UNSET
    created_at: Any = UNSET
    updated_at: Any = UNSET
    merged_at: Any = UNSET
    closed_at: Any = UNSET
    additions: Any = UNSET
    deletions: Any = UNSET
    changed_files: Any = UNSET
    requested_reviewers: list[_Login] | UnsetType | None = UNSET
    labels: list[_Name] | UnsetType | None = UNSET
    body: Any = UNSET


class _Review(_Fields):
    id: Any = UNSET
    submitted_at: Any = UNSET
    user: _Login | UnsetType | None = UNSET


class _CheckSuite(_Fields):
    head_branch: Any = UNSET


class _Run(_Fields):
    """workflow_run, workflow_job and check_run share the fields a build event needs."""

    id: Any = UNSET
    name: Any = UNSET
    workflow_name: Any = UNSET
    status: Any = UNSET
    conclusion: Any = UNSET
    head_branch: Any = UNSET
    head_sha: Any = UNSET
    check_suite: _CheckSuite | UnsetType | None = UNSET
    run_id: Any = UNSET  # a job's run: a run's deploy jobs and the run are one deployment
    run_attempt: Any = UNSET
    run_started_at: Any = UNSET
    started_at: Any = UNSET
    created_at: Any = UNSET
    completed_at: Any = UNSET
    updated_at: Any = UNSET
    html_url: Any = UNSET


class _Deployment(_Fields):
    id: Any = UNSET
    ref: Any = UNSET
    sha: Any = UNSET
    task: Any = UNSET
    environment: Any = UNSET
    description: Any = UNSET
    payload: Any = UNSET
    creator: _Login | UnsetType | None = UNSET
    created_at: Any = UNSET
    updated_at: Any = UNSET


class _DeploymentStatus(_Fields):
    state: Any = UNSET
    environment: Any = UNSET
    description: Any = UNSET
    target_url: Any = UNSET
    log_url: Any = UNSET
    creator: _Login | UnsetType | None = UNSET
    created_at: Any = UNSET


class GitHubPayload(_Fields):
    action: Any = UNSET
    repository: _Repository | UnsetType | None = UNSET
    organization: _Login | UnsetType | None = UNSET
    # push
    ref: Any = UNSET
    before: Any = UNSET
    after: Any = UNSET
    deleted: Any = UNSET
    forced: Any = UNSET
    commits: list[_Commit] | UnsetType | None = UNSET
    head_commit: _HeadCommit | UnsetType | None = UNSET
    pusher: _Name | UnsetType | None = UNSET
    # pull_request, pull_request_review
    pull_request: _PullRequest | UnsetType | None = UNSET
    review: _Review | UnsetType | None = UNSET
    # workflow_run, workflow_job, check_run
    workflow_run: _Run | UnsetType | None = UNSET
    workflow_job: _Run | UnsetType | None = UNSET
    check_run: _Run | UnsetType | None = UNSET
    # deployment, deployment_status
    deployment: _Deployment | UnsetType | None = UNSET
    deployment_status: _DeploymentStatus | UnsetType | None = UNSET
