"""GitLab push, tag push, merge request, pipeline, job and deployment hooks.

Expectations follow docs.gitlab.com "Webhook events" (push: `before`/`after`, zeros for a new or
deleted branch, `commits` limited to 20 with `total_commits_count`; tag push hook `refs/tags/`;
merge request `object_attributes.action` open/update/merge/close/reopen/approved; pipeline `status`
success/failed/canceled/skipped/manual/running with `duration` and `finished_at`; job `build_status`;
deployment `status` running/success/failed/canceled with `status_changed_at`).
"""

from __future__ import annotations

from typing import Any

from bench.ingest.changes_heldout.model import ZERO, Any_, Case, E, Has, edits, put

PUSH = "gitlab/push.json"
MR = "gitlab/merge_request.open.json"
PIPE = "gitlab/pipeline.success.json"
JOB = "gitlab/job.json"
DEPLOY = "gitlab/deployment.success.json"
PUSHED = "scm.commit.pushed"
BUILD = "ci.build.finished"
TWO = ["b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"]

CASES: list[Case] = [
    Case(
        "gl-push-verbatim",
        "gitlab",
        PUSH,
        "the fixture verbatim: two commits listed (total_commits_count 4) to master",
        [
            E(
                PUSHED,
                repository="mike/diaspora",
                branch="master",
                before_sha="95790bf891e76fee5e1747ab589903a6a1f80f22",
                after_sha="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                commit_shas=TWO,
                commit_times=["2011-12-12T12:27:31Z", "2012-01-03T21:36:29Z"],
                pusher=Any_(("jsmith", "John Smith")),
            )
        ],
    ),
    Case(
        "gl-push-new-branch",
        "gitlab",
        PUSH,
        "new branch: before is forty zeros",
        [E(PUSHED, branch="feature/login", before_sha=None, after_sha=TWO[1])],
        edits(before=ZERO, ref="refs/heads/feature/login"),
    ),
    Case(
        "gl-push-branch-deleted",
        "gitlab",
        PUSH,
        "branch deletion: after is zeros, commits [], total_commits_count 0, checkout_sha null -> nothing",
        [],
        edits(after=ZERO, checkout_sha=None, commits=[], total_commits_count=0, ref="refs/heads/old"),
    ),
    Case(
        "gl-tag-push",
        "gitlab",
        PUSH,
        "Tag Push Hook (object_kind tag_push, ref refs/tags/v1.0.0): not a branch -> no scm.commit.pushed",
        [],
        edits(
            object_kind="tag_push",
            event_name="tag_push",
            before=ZERO,
            ref="refs/tags/v1.0.0",
            commits=[],
            total_commits_count=0,
        ),
        event_header="Tag Push Hook",
    ),
    Case(
        "gl-push-redelivery",
        "gitlab",
        PUSH,
        "the same push redelivered (new X-Gitlab-Event-UUID): same event id",
        [E(PUSHED, branch="master")],
        same_id_as="gl-push-verbatim",
    ),
]


def mr(action: str | None = None, **attrs: Any):
    def build(body: dict[str, Any]) -> None:
        oa = body["object_attributes"]
        if action is not None:
            oa["action"] = action
        for key, value in attrs.items():
            put(oa, key.replace("__", "."), value)

    return build


MR_BASE = {"repository": "gitlabhq/gitlab-test", "number": 1}
CASES += [
    Case(
        "gl-mr-open-verbatim",
        "gitlab",
        MR,
        "the fixture verbatim: merge request opened (iid 1 is the number users see)",
        [
            E(
                "scm.pull_request.opened",
                action="opened",
                title="MS-Viewport",
                source_branch="ms-viewport",
                target_branch="master",
                head_sha="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                created_at="2013-12-03T17:23:34Z",
                labels=Has("API"),
                occurred_at="2013-12-03T17:23:34Z",
                **MR_BASE,
            )
        ],
    ),
    Case(
        "gl-mr-update-new-commits",
        "gitlab",
        MR,
        "update with new commits (oldrev present, last_commit moved): open, head sha updated",
        [E("scm.pull_request.opened", head_sha="f" * 40, **MR_BASE)],
        mr(
            "update",
            oldrev="da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            last_commit__id="f" * 40,
            updated_at="2013-12-04T10:00:00Z",
        ),
    ),
    Case(
        "gl-mr-merge",
        "gitlab",
        MR,
        "action merge, state merged, merge_commit_sha set; the hook has no merged_at, so the merge time is "
        "the hook's updated_at (vendor time of the transition)",
        [
            E(
                "scm.pull_request.merged",
                action="merged",
                merge_sha="a" * 40,
                merged_at="2013-12-05T09:00:00Z",
                occurred_at="2013-12-05T09:00:00Z",
                **MR_BASE,
            )
        ],
        mr("merge", state="merged", merge_commit_sha="a" * 40, updated_at="2013-12-05T09:00:00Z"),
    ),
    Case(
        "gl-mr-merge-squash",
        "gitlab",
        MR,
        "squash merge: merge_commit_sha null but squash_commit_sha set (GitLab 14.x+): that is the commit on the target",
        [E("scm.pull_request.merged", merge_sha="b" * 40, **MR_BASE)],
        mr(
            "merge",
            state="merged",
            merge_commit_sha=None,
            squash_commit_sha="b" * 40,
            squash=True,
            updated_at="2013-12-05T09:00:00Z",
        ),
    ),
    Case(
        "gl-mr-merge-utc-format",
        "gitlab",
        MR,
        "older GitLab time format `2013-12-05 09:00:00 UTC` in updated_at",
        [E("scm.pull_request.merged", merged_at="2013-12-05T09:00:00Z", **MR_BASE)],
        mr("merge", state="merged", merge_commit_sha="a" * 40, updated_at="2013-12-05 09:00:00 UTC"),
    ),
    Case(
        "gl-mr-close",
        "gitlab",
        MR,
        "action close, state closed: closed without merge",
        [
            E(
                "scm.pull_request.closed",
                action="closed",
                closed_at="2013-12-06T09:00:00Z",
                merged_at=None,
                **MR_BASE,
            )
        ],
        mr("close", state="closed", updated_at="2013-12-06T09:00:00Z"),
    ),
    Case(
        "gl-mr-reopen",
        "gitlab",
        MR,
        "action reopen, state opened: open again",
        [E("scm.pull_request.opened", **MR_BASE)],
        mr("reopen", state="opened", updated_at="2013-12-07T09:00:00Z"),
    ),
    Case(
        "gl-mr-approved",
        "gitlab",
        MR,
        "action approved (a reviewer approved; `user` is the approver): a review",
        [
            E(
                "scm.pull_request.reviewed",
                first_review_at="2013-12-04T12:00:00Z",
                reviewers=Has("user1"),
                **MR_BASE,
            )
        ],
        mr("approved", updated_at="2013-12-04T12:00:00Z"),
    ),
    Case(
        "gl-mr-linked-ticket",
        "gitlab",
        MR,
        "ticket key in the MR title and branch",
        [E("scm.pull_request.opened", linked_tickets=Has("OPS-42", "WEB-7"), **MR_BASE)],
        mr(title="OPS-42 viewport meta", source_branch="WEB-7-viewport"),
    ),
]


def pipe(status: str, **attrs: Any):
    def build(body: dict[str, Any]) -> None:
        oa = body["object_attributes"]
        oa["status"] = status
        for key, value in attrs.items():
            oa[key] = value

    return build


PIPE_BASE = {
    "kind": "pipeline",
    "repository": "gitlab-org/gitlab-test",
    "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
    "branch": "master",
    "finished_at": "2016-08-12T15:26:29Z",
    "duration_s": 63.0,
    "occurred_at": "2016-08-12T15:26:29Z",
}
CASES += [
    Case(
        "gl-pipeline-success-verbatim",
        "gitlab",
        PIPE,
        "the fixture verbatim",
        [E(BUILD, status="success", **PIPE_BASE)],
    ),
    Case(
        "gl-pipeline-failed",
        "gitlab",
        PIPE,
        "status failed -> failure",
        [E(BUILD, status="failure", **PIPE_BASE)],
        pipe("failed"),
    ),
    Case(
        "gl-pipeline-canceled",
        "gitlab",
        PIPE,
        "status canceled -> cancelled",
        [E(BUILD, status="cancelled")],
        pipe("canceled"),
    ),
    Case(
        "gl-pipeline-skipped",
        "gitlab",
        PIPE,
        "status skipped -> skipped",
        [E(BUILD, status="skipped")],
        pipe("skipped"),
    ),
    Case(
        "gl-pipeline-running",
        "gitlab",
        PIPE,
        "status running: not finished",
        [],
        pipe("running", finished_at=None, duration=None),
    ),
    Case(
        "gl-pipeline-manual",
        "gitlab",
        PIPE,
        "status manual: blocked on a manual job, not finished",
        [],
        pipe("manual", finished_at=None),
    ),
    Case(
        "gl-pipeline-pending",
        "gitlab",
        PIPE,
        "status pending: not started",
        [],
        pipe("pending", finished_at=None, duration=None),
    ),
    Case(
        "gl-pipeline-tag",
        "gitlab",
        PIPE,
        "tag pipeline (tag: true, ref v1.0.0): the ref is a tag, not a branch",
        [E(BUILD, status="success", branch=None)],
        pipe("success", tag=True, ref="v1.0.0"),
    ),
]


def job(status: str, **more: Any):
    return edits(build_status=status, **more)


JOB_BASE = {
    "kind": "job",
    "sha": "95d49d1efbd941908580e79d65e4b5ecaf4a8305",
    "branch": "main",
    "started_at": "2023-01-10T13:50:05Z",
    "finished_at": "2023-01-10T13:50:54Z",
    "duration_s": Any_((49.503592, 49.0, 49.5)),
    "occurred_at": "2023-01-10T13:50:54Z",
    "repository": "jsmithy2/release-tools-fake",
}
CASES += [
    Case(
        "gl-job-success-verbatim",
        "gitlab",
        JOB,
        "the fixture verbatim: job success",
        [E(BUILD, status="success", name="auto_deploy:start", **JOB_BASE)],
        exact_prefixes=("scm.", "ci."),
    ),
    Case(
        "gl-job-failed",
        "gitlab",
        JOB,
        "build_status failed -> failure",
        [E(BUILD, status="failure", **JOB_BASE)],
        job("failed"),
    ),
    Case(
        "gl-job-canceled",
        "gitlab",
        JOB,
        "build_status canceled -> cancelled",
        [E(BUILD, status="cancelled")],
        job("canceled"),
    ),
    Case(
        "gl-job-running",
        "gitlab",
        JOB,
        "build_status running: not finished",
        [],
        job("running", build_finished_at=None, build_duration=None),
    ),
    Case(
        "gl-job-manual",
        "gitlab",
        JOB,
        "build_status manual: waiting for a click, not finished",
        [],
        job("manual", build_started_at=None, build_finished_at=None, build_duration=None),
    ),
    Case(
        "gl-job-created",
        "gitlab",
        JOB,
        "build_status created: not started",
        [],
        job("created", build_started_at=None, build_finished_at=None, build_duration=None),
    ),
]


def dep(status: str, **more: Any):
    return edits(status=status, **more)


DEP_BASE = {
    "environment": "staging",
    "sha": "279484c09fbe69ededfced8c1bb6e6d24616b468",
    "ref": "1.0.0",
    "occurred_at": "2021-04-28T19:50:00Z",
}
CASES += [
    Case(
        "gl-deploy-success-verbatim",
        "gitlab",
        DEPLOY,
        "the fixture verbatim: deployment success; full sha from commit_url; time status_changed_at (+0200)",
        [E("deploy.deployment.finished", status="success", finished_at="2021-04-28T19:50:00Z", **DEP_BASE)],
        exact_prefixes=("scm.", "ci.", "deploy."),
    ),
    Case(
        "gl-deploy-running",
        "gitlab",
        DEPLOY,
        "deployment running: started",
        [E("deploy.deployment.started", status="in_progress", **DEP_BASE)],
        dep("running"),
        exact_prefixes=("scm.", "ci.", "deploy."),
    ),
    Case(
        "gl-deploy-failed",
        "gitlab",
        DEPLOY,
        "deployment failed: finished, failure",
        [E("deploy.deployment.finished", status="failure", **DEP_BASE)],
        dep("failed"),
        exact_prefixes=("scm.", "ci.", "deploy."),
    ),
    Case(
        "gl-deploy-canceled",
        "gitlab",
        DEPLOY,
        "deployment canceled: finished, cancelled",
        [E("deploy.deployment.finished", status="cancelled", **DEP_BASE)],
        dep("canceled"),
        exact_prefixes=("scm.", "ci.", "deploy."),
    ),
]
