"""GitHub push, pull_request, pull_request_review, check_run/check_suite, workflow_run/workflow_job.

Expectations follow docs.github.com "Webhook events and payloads" (push: `before`/`after`, `created`,
`deleted`, `forced`, `commits` lists at most 20 commits, `ref` is `refs/heads/<branch>` or
`refs/tags/<tag>`; pull_request: `merged` and `merged_at` on `closed`; `merge_commit_sha` is a test
merge before the merge; reviews: `review.state` and `submitted_at`; checks and Actions: `conclusion`
once `status` is `completed`) and docs/metrics.md (what lead time and flow read).
"""

from __future__ import annotations

from typing import Any

from bench.ingest.changes_heldout.model import ZERO, Any_, Case, E, Has, Len, NotNone, chain, edits, put

REPO = "Codertocat/Hello-World"
PUSHED_AT = "2019-05-15T15:20:57Z"  # repository.pushed_at of the push fixture (epoch 1557933657)
PUSH = "github/push.json"
PR_CLOSED = "github/pull_request.closed.json"
PR_OPENED = "github/pull_request.opened.json"
RUN = "github/workflow_run.completed.json"
JOB = "github_actions/workflow_job.completed.failure.json"
CHECK = "github/check_run.completed.json"
PUSHED = "scm.commit.pushed"
BUILD = "ci.build.finished"


def sha(n: int) -> str:
    return f"{n:040x}"


def commit(n: int, when: str = "2019-05-15T15:10:00Z", **extra: Any) -> dict[str, Any]:
    c = {
        "id": sha(n),
        "tree_id": sha(n + 5000),
        "distinct": True,
        "message": f"change {n}",
        "timestamp": when,
        "url": f"https://github.com/{REPO}/commit/{sha(n)}",
        "author": {"name": "Monalisa Octocat", "email": "mona@github.com", "username": "octocat"},
        "committer": {"name": "Monalisa Octocat", "email": "mona@github.com", "username": "octocat"},
        "added": [],
        "removed": [],
        "modified": ["README.md"],
    }
    c.update(extra)
    return c


def push(ref: str, before: str, after_n: int | None, commits: list[dict[str, Any]], **flags: Any):
    """A push from the documented tag-deletion fixture: set ref/before/after/flags/commits/head_commit."""
    after = sha(after_n) if after_n is not None else ZERO

    def build(body: dict[str, Any]) -> None:
        body.update(
            ref=ref,
            before=before,
            after=after,
            created=flags.get("created", False),
            deleted=flags.get("deleted", False),
            forced=flags.get("forced", False),
            base_ref=flags.get("base_ref"),
            commits=commits,
            head_commit=commits[-1] if commits else flags.get("head_commit"),
        )

    return build


def T(i: int) -> str:
    return f"2019-05-15T15:{i:02d}:00Z"


PUSH_BASE = {"repository": REPO, "pusher": "Codertocat", "occurred_at": Any_((PUSHED_AT, T(12)))}

CASES: list[Case] = [
    Case(
        "gh-push-plain",
        "github",
        PUSH,
        "two commits pushed to main (before/after real shas)",
        [
            E(
                PUSHED,
                branch="main",
                before_sha=sha(1),
                after_sha=sha(12),
                commit_shas=[sha(11), sha(12)],
                commit_times=[T(11), T(12)],
                forced=False,
                **PUSH_BASE,
            )
        ],
        push("refs/heads/main", sha(1), 12, [commit(11, T(11)), commit(12, T(12))]),
    ),
    Case(
        "gh-push-new-branch",
        "github",
        PUSH,
        "first push of a branch: before is forty zeros (no previous commit), created: true",
        [
            E(
                PUSHED,
                branch="feature-x",
                before_sha=None,
                after_sha=sha(12),
                commit_shas=[sha(12)],
                **PUSH_BASE,
            )
        ],
        push("refs/heads/feature-x", ZERO, 12, [commit(12, T(12))], created=True),
    ),
    Case(
        "gh-push-new-branch-no-commits",
        "github",
        PUSH,
        "a branch created at an existing commit: created, commits [] but head_commit set; the branch "
        "now points at after (a push of zero new commits is still a push of `after` to the branch)",
        [E(PUSHED, branch="release/2.0", before_sha=None, after_sha=sha(12), commit_shas=[])],
        push("refs/heads/release/2.0", ZERO, 12, [], created=True, head_commit=commit(12, T(12))),
    ),
    Case(
        "gh-push-branch-deleted",
        "github",
        PUSH,
        "branch deletion: deleted true, after zeros, no commits -> no commits reached a branch, no event",
        [],
        push("refs/heads/feature-x", sha(5), None, [], deleted=True),
    ),
    Case(
        "gh-push-tag-deleted-verbatim",
        "github",
        PUSH,
        "the fixture verbatim (tag deletion) -> nothing",
        [],
    ),
    Case(
        "gh-push-tag-created",
        "github",
        PUSH,
        "tag push refs/tags/v1.2.0 (created, commits []): a tag is not a branch -> no scm.commit.pushed",
        [],
        push(
            "refs/tags/v1.2.0", ZERO, 12, [], created=True, base_ref="refs/heads/main", head_commit=commit(12)
        ),
    ),
    Case(
        "gh-push-forced",
        "github",
        PUSH,
        "force push (forced: true) rewriting history",
        [E(PUSHED, branch="main", forced=True, before_sha=sha(9), after_sha=sha(12), commit_shas=[sha(12)])],
        push("refs/heads/main", sha(9), 12, [commit(12, T(12))], forced=True),
    ),
    Case(
        "gh-push-slashes",
        "github",
        PUSH,
        "branch with slashes: refs/heads/feature/JIRA-12/fix-login -> branch `feature/JIRA-12/fix-login`",
        [E(PUSHED, branch="feature/JIRA-12/fix-login", after_sha=sha(12))],
        push("refs/heads/feature/JIRA-12/fix-login", sha(3), 12, [commit(12, T(12))]),
    ),
    Case(
        "gh-push-25-commits",
        "github",
        PUSH,
        "a push of 25 commits: GitHub lists at most 20 in `commits` (the last 20); we expect those 20 "
        "as given, after_sha the head, nothing invented",
        [
            E(
                PUSHED,
                branch="main",
                after_sha=sha(45),
                commits=Len(20),
                commit_shas=[sha(n) for n in range(26, 46)],
            )
        ],
        push("refs/heads/main", sha(20), 45, [commit(n, T(n % 60)) for n in range(26, 46)]),
    ),
    Case(
        "gh-push-merge-commit",
        "github",
        PUSH,
        "merge of a branch into main: the branch's commits (distinct false: already in the repository) "
        "and the merge commit. They all reached main now, so all are listed",
        [E(PUSHED, branch="main", commit_shas=[sha(30), sha(31), sha(32)])],
        push(
            "refs/heads/main",
            sha(2),
            32,
            [
                commit(30, T(5), distinct=False),
                commit(31, T(6), distinct=False),
                commit(32, T(12), message="Merge pull request #7 from Codertocat/feature\n\nFeature"),
            ],
        ),
    ),
    Case(
        "gh-push-coauthors",
        "github",
        PUSH,
        "commit with Co-authored-by trailers: the commit author is still the author field",
        [E(PUSHED, commit_authors=[Any_(("octocat", "Monalisa Octocat", "mona@github.com"))])],
        push(
            "refs/heads/main",
            sha(2),
            12,
            [
                commit(
                    12,
                    T(12),
                    message="Fix\n\nCo-authored-by: Hubot <hubot@github.com>\nCo-authored-by: A <a@x.io>",
                )
            ],
        ),
    ),
    Case(
        "gh-push-author-no-username",
        "github",
        PUSH,
        "commit author with an email unknown to GitHub has no `username`: author from the name/email",
        [E(PUSHED, commit_authors=[Any_(("Jane Doe", "jane@corp.example"))])],
        push(
            "refs/heads/main",
            sha(2),
            12,
            [commit(12, T(12), author={"name": "Jane Doe", "email": "jane@corp.example"})],
        ),
    ),
    Case(
        "gh-push-timezone-offset",
        "github",
        PUSH,
        "commit timestamps carry the committer's offset (2019-05-15T17:12:00+02:00): same instant as 15:12Z",
        [E(PUSHED, commit_times=["2019-05-15T15:12:00Z"])],
        push("refs/heads/main", sha(2), 12, [commit(12, "2019-05-15T17:12:00+02:00")]),
    ),
]

# --- pull requests --------------------------------------------------------------------------------


def pr(**changes: Any):
    """Edit `pull_request.*` (and top-level `action`) of a pull_request fixture."""

    def build(body: dict[str, Any]) -> None:
        for key, value in changes.items():
            if key == "action":
                body["action"] = value
            else:
                put(body["pull_request"], key.replace("__", "."), value)

    return build


MERGED = pr(
    action="closed",
    merged=True,
    merged_at="2019-05-15T15:21:18Z",
    merge_commit_sha="c4295bd74fb0f4fda03689c3df3f2803b658fd85",
    merged_by={"login": "Codertocat", "id": 21031067, "type": "User"},
)
PR_BASE = {"repository": REPO, "number": 2}

CASES += [
    Case(
        "gh-pr-opened-verbatim",
        "github",
        PR_OPENED,
        "the fixture verbatim: pull_request opened",
        [
            E(
                "scm.pull_request.opened",
                action="opened",
                title="Update the README with new information.",
                author="Codertocat",
                source_branch="changes",
                target_branch="master",
                head_sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                created_at="2019-05-15T15:20:33Z",
                occurred_at="2019-05-15T15:20:33Z",
                merged_at=None,
                **PR_BASE,
            )
        ],
    ),
    Case(
        "gh-pr-closed-unmerged",
        "github",
        PR_CLOSED,
        "the fixture verbatim: closed with merged false; merge_commit_sha is only GitHub's test merge",
        [
            E(
                "scm.pull_request.closed",
                action="closed",
                closed_at="2019-05-15T15:21:18Z",
                occurred_at="2019-05-15T15:21:18Z",
                merged_at=None,
                merge_sha=None,
                **PR_BASE,
            )
        ],
    ),
    Case(
        "gh-pr-merged",
        "github",
        PR_CLOSED,
        "closed with merged: true, merged_at and merge_commit_sha (GitHub docs: merged PR)",
        [
            E(
                "scm.pull_request.merged",
                action="merged",
                merged_at="2019-05-15T15:21:18Z",
                merge_sha="c4295bd74fb0f4fda03689c3df3f2803b658fd85",
                occurred_at="2019-05-15T15:21:18Z",
                source_branch="changes",
                target_branch="master",
                additions=1,
                deletions=1,
                **PR_BASE,
            )
        ],
        MERGED,
    ),
    Case(
        "gh-pr-merged-squash",
        "github",
        PR_CLOSED,
        "squash merge: merge_commit_sha is the squashed commit on the base branch; merged an hour after "
        "opening, closed_at == merged_at",
        [E("scm.pull_request.merged", merge_sha=sha(777), merged_at="2019-05-15T16:30:00Z", **PR_BASE)],
        chain(
            MERGED,
            pr(merged_at="2019-05-15T16:30:00Z", closed_at="2019-05-15T16:30:00Z", merge_commit_sha=sha(777)),
        ),
    ),
    Case(
        "gh-pr-merged-by-other",
        "github",
        PR_CLOSED,
        "merged by a maintainer other than the author: author stays the PR's user",
        [E("scm.pull_request.merged", author="Codertocat", **PR_BASE)],
        chain(MERGED, pr(merged_by={"login": "hubot", "id": 1, "type": "User"})),
    ),
    Case(
        "gh-pr-synchronize",
        "github",
        PR_OPENED,
        "synchronize: new commits pushed to the head branch; the open PR's latest head sha must reach "
        "the metrics (latest scalars, union of shas) through the non-terminal subject",
        [E("scm.pull_request.opened", head_sha=sha(99), created_at="2019-05-15T15:20:33Z", **PR_BASE)],
        pr(action="synchronize", head__sha=sha(99), updated_at="2019-05-15T16:00:00Z"),
    ),
    Case(
        "gh-pr-reopened",
        "github",
        PR_CLOSED,
        "reopened after a close (state open, closed_at null): open again, not closed",
        [E("scm.pull_request.opened", closed_at=None, merged_at=None, **PR_BASE)],
        pr(action="reopened", state="open", closed_at=None, updated_at="2019-05-15T15:30:00Z"),
    ),
    Case(
        "gh-pr-draft-opened",
        "github",
        PR_OPENED,
        "a draft opened (draft: true): still an opened pull request",
        [E("scm.pull_request.opened", created_at="2019-05-15T15:20:33Z", **PR_BASE)],
        pr(draft=True),
    ),
    Case(
        "gh-pr-ready-for-review",
        "github",
        PR_OPENED,
        "draft -> ready_for_review: open, non-terminal",
        [E("scm.pull_request.opened", **PR_BASE)],
        pr(action="ready_for_review", draft=False, updated_at="2019-05-15T15:40:00Z"),
    ),
    Case(
        "gh-pr-labeled-hotfix",
        "github",
        PR_OPENED,
        "labeled (label `hotfix` added later): labels feed the rework rate (docs/metrics.md)",
        [E("scm.pull_request.opened", labels=Has("hotfix"), **PR_BASE)],
        chain(
            pr(action="labeled", labels=[{"id": 1, "name": "hotfix", "color": "f00", "default": False}]),
            edits(label={"id": 1, "name": "hotfix", "color": "f00", "default": False}),
        ),
    ),
    Case(
        "gh-pr-linked-tickets",
        "github",
        PR_OPENED,
        "tickets in title (JIRA-123), body (Fixes #45, PROJ-9) and branch (feature/ABC-77-login)",
        [E("scm.pull_request.opened", linked_tickets=Has("JIRA-123", "PROJ-9", "ABC-77"), **PR_BASE)],
        pr(
            title="JIRA-123: fix the login page",
            body="Fixes #45. Also touches PROJ-9.",
            head__ref="feature/ABC-77-login",
            head__label="Codertocat:feature/ABC-77-login",
        ),
    ),
    Case(
        "gh-pr-review-requested",
        "github",
        PR_OPENED,
        "review_requested is not a review: no scm.pull_request.reviewed (first review time must not move)",
        [],
        chain(
            pr(action="review_requested"),
            edits(requested_reviewer={"login": "octocat", "id": 5346, "type": "User"}),
        ),
        exact_prefixes=(
            "scm.pull_request.reviewed",
            "scm.pull_request.merged",
            "scm.pull_request.closed",
            "ci.",
        ),
    ),
    Case(
        "gh-pr-opened-redelivery-id",
        "github",
        PR_OPENED,
        "the same opened payload (redelivered by GitHub with a new X-GitHub-Delivery) keeps its id",
        [E("scm.pull_request.opened", **PR_BASE)],
        same_id_as="gh-pr-opened-verbatim",
    ),
]

# --- reviews --------------------------------------------------------------------------------------


def review(state: str, action: str = "submitted", login: str = "octocat", at: str = "2019-05-15T15:25:00Z"):
    def build(body: dict[str, Any]) -> None:
        body["action"] = action
        body["review"] = {
            "id": 237895671,
            "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3MjM3ODk1Njcx",
            "user": {"login": login, "id": 5346, "type": "User"},
            "body": None if state != "commented" else "Looks fine, one nit",
            "commit_id": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
            "submitted_at": at,
            "state": state,
            "html_url": f"https://github.com/{REPO}/pull/2#pullrequestreview-237895671",
            "author_association": "COLLABORATOR",
        }

    return build


REVIEWED = "scm.pull_request.reviewed"
CASES += [
    Case(
        f"gh-review-{state}",
        "github",
        PR_OPENED,
        f"pull_request_review submitted, state {state} (the webhook sends lower-case states)",
        [
            E(
                REVIEWED,
                action="reviewed",
                first_review_at="2019-05-15T15:25:00Z",
                occurred_at="2019-05-15T15:25:00Z",
                reviewers=Has("octocat"),
                **PR_BASE,
            )
        ],
        review(state),
        event_header="pull_request_review",
    )
    for state in ("approved", "changes_requested", "commented")
]
CASES += [
    Case(
        "gh-review-dismissed",
        "github",
        PR_OPENED,
        "pull_request_review dismissed: a review taken back is not a new review",
        [],
        review("dismissed", action="dismissed"),
        event_header="pull_request_review",
    ),
    Case(
        "gh-review-edited",
        "github",
        PR_OPENED,
        "pull_request_review edited (body changed): not a new review; at most the same review again "
        "(same id as the submitted one), never a later first_review_at",
        [],
        review("approved", action="edited"),
        event_header="pull_request_review",
        exact_prefixes=("ci.", "scm.pull_request.opened", "scm.pull_request.merged"),
    ),
    Case(
        "gh-review-approved-uppercase",
        "github",
        PR_OPENED,
        "review state in upper case (the REST/GraphQL spelling APPROVED some relays forward)",
        [E(REVIEWED, reviewers=Has("octocat"), **PR_BASE)],
        review("APPROVED"),
        event_header="pull_request_review",
    ),
]

# --- checks and Actions ---------------------------------------------------------------------------


def run(conclusion: str | None, status: str = "completed", **more: Any):
    def build(body: dict[str, Any]) -> None:
        wr = body["workflow_run"]
        wr["conclusion"] = conclusion
        wr["status"] = status
        wr["updated_at"] = "2020-10-05T16:38:49Z"
        wr["name"] = "CI"
        body["action"] = "completed" if status == "completed" else more.pop("action", "in_progress")
        for key, value in more.items():
            put(wr, key.replace("__", "."), value)

    return build


RUN_BASE = {
    "provider": Any_(("github", "github_actions", "github-actions", "gha")),
    "kind": "workflow",
    "repository": "octo-org/octo-repo",
    "branch": "master",
    "sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
    "started_at": "2020-10-05T16:33:49Z",
    "finished_at": "2020-10-05T16:38:49Z",
    "duration_s": 300.0,
    "occurred_at": "2020-10-05T16:38:49Z",
}
for conclusion, status in (
    ("success", "success"),
    ("failure", "failure"),
    ("cancelled", "cancelled"),
    ("skipped", "skipped"),
    ("timed_out", "failure"),
    ("startup_failure", "failure"),
    ("neutral", "success"),
):
    CASES.append(
        Case(
            f"gh-run-{conclusion}",
            "github",
            RUN,
            f"workflow_run completed, conclusion {conclusion} -> {status} (GitHub: timed_out and "
            "startup_failure are failures, neutral counts as success)",
            [E(BUILD, status=status, **RUN_BASE)],
            run(conclusion),
        )
    )
CASES += [
    Case(
        "gh-run-action-required",
        "github",
        RUN,
        "workflow_run completed with action_required (waiting for approval): it never ran -> no "
        "finished build",
        [],
        run("action_required"),
    ),
    Case(
        "gh-run-in-progress",
        "github",
        RUN,
        "workflow_run in_progress: not finished -> no ci.build.finished",
        [],
        run(None, status="in_progress"),
    ),
    Case(
        "gh-run-requested",
        "github",
        RUN,
        "workflow_run requested (queued): nothing finished",
        [],
        run(None, status="queued", action="requested"),
    ),
    Case(
        "gh-run-attempt-2",
        "github",
        RUN,
        "re-run: run_attempt 2 of the same run id, started later: its own build, not the first attempt's",
        [
            E(
                BUILD,
                status="success",
                started_at="2020-10-05T16:40:00Z",
                duration_s=120.0,
                finished_at="2020-10-05T16:42:00Z",
            )
        ],
        run(
            "success", run_attempt=2, run_started_at="2020-10-05T16:40:00Z", updated_at="2020-10-05T16:42:00Z"
        ),
        other_id_than="gh-run-success",
    ),
    Case(
        "gh-run-feature-branch-slashes",
        "github",
        RUN,
        "workflow on a branch with slashes (head_branch feature/a/b)",
        [E(BUILD, branch="feature/a/b", status="failure")],
        run("failure", head_branch="feature/a/b"),
    ),
    Case(
        "gh-run-redelivery",
        "github",
        RUN,
        "the same completed run redelivered: same event id",
        [E(BUILD, status="success")],
        run("success"),
        same_id_as="gh-run-success",
    ),
]

JOB_BASE = {
    "kind": "job",
    "repository": REPO,
    "branch": "main",
    "sha": "3484a3fb816e0859fd6e1cea078d76385ff50625",
    "started_at": "2021-08-05T10:34:58Z",
    "finished_at": "2021-08-05T10:38:16Z",
    "duration_s": 198.0,
    "occurred_at": "2021-08-05T10:38:16Z",
}
CASES += [
    Case(
        "gh-job-failure-verbatim",
        "github",
        JOB,
        "the fixture verbatim: workflow_job completed, failure",
        [
            E(
                BUILD,
                status="failure",
                name=Any_(("linters", "CodeQL / linters", "CodeQL/linters")),
                **JOB_BASE,
            )
        ],
    ),
    Case(
        "gh-job-success",
        "github",
        JOB,
        "workflow_job completed, success",
        [E(BUILD, status="success", **JOB_BASE)],
        edits(workflow_job__conclusion="success"),
    ),
    Case(
        "gh-job-skipped",
        "github",
        JOB,
        "workflow_job skipped (a job whose `if:` was false: GitHub reports completed/skipped; started_at "
        "equals completed_at)",
        [E(BUILD, status="skipped", duration_s=0.0)],
        edits(workflow_job__conclusion="skipped", workflow_job__started_at="2021-08-05T10:38:16Z"),
    ),
    Case(
        "gh-job-cancelled",
        "github",
        JOB,
        "workflow_job cancelled",
        [E(BUILD, status="cancelled")],
        edits(workflow_job__conclusion="cancelled"),
    ),
    Case(
        "gh-job-in-progress",
        "github",
        JOB,
        "workflow_job in_progress (conclusion null): nothing finished",
        [],
        edits(
            action="in_progress",
            workflow_job__status="in_progress",
            workflow_job__conclusion=None,
            workflow_job__completed_at=None,
        ),
    ),
    Case(
        "gh-job-rerun-attempt",
        "github",
        JOB,
        "the job re-run in attempt 2 (a new job id, run_attempt 2): its own build",
        [E(BUILD, status="success")],
        edits(workflow_job__conclusion="success", workflow_job__run_attempt=2, workflow_job__id=289782999),
        other_id_than="gh-job-failure-verbatim",
    ),
    Case(
        "gh-check-run-verbatim",
        "github",
        CHECK,
        "check_run completed success (third-party app check): a finished job-level build on head_sha",
        [
            E(
                BUILD,
                status="success",
                sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                repository=REPO,
                branch="changes",
                finished_at="2019-05-15T15:21:12Z",
                occurred_at="2019-05-15T15:21:12Z",
                name=NotNone(),
            )
        ],
    ),
    Case(
        "gh-check-run-timed-out",
        "github",
        CHECK,
        "check_run completed, conclusion timed_out -> failure; took 90 s",
        [E(BUILD, status="failure", duration_s=90.0, finished_at="2019-05-15T15:22:42Z")],
        edits(check_run__conclusion="timed_out", check_run__completed_at="2019-05-15T15:22:42Z"),
    ),
    Case(
        "gh-check-run-created",
        "github",
        CHECK,
        "check_run created (queued): nothing finished",
        [],
        edits(
            action="created",
            check_run__status="queued",
            check_run__conclusion=None,
            check_run__completed_at=None,
        ),
    ),
]
