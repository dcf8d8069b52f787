"""Source-control events: commits pushed and pull/merge requests through their life."""

from __future__ import annotations

from datetime import datetime

import msgspec

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class Commit(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    sha: str
    committed_at: datetime | None = None
    author: str | None = None
    message: str | None = None


class CommitsPushed(Event, frozen=True, kw_only=True):
    """`scm.commit.pushed`: commits that reached a branch (one event per push)."""

    repository: str
    branch: str
    before_sha: str | None = None
    after_sha: str
    commits: list[Commit] = []
    pusher: str | None = None
    forced: bool = False
    owner: Ownership = Ownership()


class PullRequestChanged(Event, frozen=True, kw_only=True):
    """`scm.pull_request.{opened,reviewed,merged,closed}`: one struct for the request's life."""

    repository: str
    number: int
    title: str
    action: str  # opened | reviewed | merged | closed
    author: str | None = None
    url: str | None = None
    source_branch: str | None = None
    target_branch: str | None = None
    head_sha: str | None = None
    merge_sha: str | None = None
    created_at: datetime | None = None
    first_commit_at: datetime | None = None
    first_review_at: datetime | None = None
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    commit_shas: list[str] = []
    reviewers: list[str] = []
    labels: list[str] = []
    linked_tickets: list[str] = []
    # Untrusted text: anything that reaches a prompt is fenced as data (see agent-svc).
    body: str | None = None
    owner: Ownership = Ownership()
