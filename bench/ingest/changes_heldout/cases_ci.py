"""CircleCI workflow-completed/job-completed and Jenkins Notification plugin deliveries.

CircleCI: circleci.com/docs/webhooks-reference (workflow status success/failed/error/canceled/
unauthorized, job status success/failed/canceled/unauthorized; `pipeline.vcs.branch` or `.tag`,
`revision`; `happened_at`, `created_at`, `stopped_at`). Jenkins: the Notification plugin README
(phases QUEUED/STARTED/COMPLETED/FINALIZED, one build sends several; `build.status` SUCCESS/FAILURE/
UNSTABLE/ABORTED/NOT_BUILT; newer plugin versions add `build.timestamp` (ms) and `build.duration` (ms);
`scm.branch` as the SCM reports it, e.g. `origin/master`).
"""

from __future__ import annotations

from bench.ingest.changes_heldout.model import DROP, Any_, Case, E, edits

WF = "circleci/workflow-completed.github_oauth.json"
JOB = "circleci/job-completed.github_oauth.json"
JK = "jenkins/notification_plugin.completed_success.json"
BUILD = "ci.build.finished"

WF_BASE = {
    "provider": "circleci",
    "kind": "workflow",
    "repository": "circleci/webhook-service",
    "branch": "main",
    "sha": "1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
    "started_at": "2021-09-01T22:49:03.616Z",
    "finished_at": "2021-09-01T22:49:34.170Z",
    "duration_s": 30.554,
    "occurred_at": Any_(("2021-09-01T22:49:34.170Z", "2021-09-01T22:49:34.317Z")),
    "name": "build-test-deploy",
}
CI_EXACT = ("scm.", "ci.")
CASES: list[Case] = [
    Case(
        "cc-wf-success-verbatim",
        "circleci",
        WF,
        "the fixture verbatim",
        [E(BUILD, status="success", **WF_BASE)],
    ),
    Case(
        "cc-wf-failed",
        "circleci",
        WF,
        "workflow failed -> failure",
        [E(BUILD, status="failure", **WF_BASE)],
        edits(workflow__status="failed"),
    ),
    Case(
        "cc-wf-error",
        "circleci",
        WF,
        "workflow error (config error) -> error",
        [E(BUILD, status="error")],
        edits(workflow__status="error"),
    ),
    Case(
        "cc-wf-canceled",
        "circleci",
        WF,
        "workflow canceled -> cancelled",
        [E(BUILD, status="cancelled")],
        edits(workflow__status="canceled"),
    ),
    Case(
        "cc-wf-unauthorized",
        "circleci",
        WF,
        "workflow unauthorized (restricted context): it did not run its steps -> error, not success",
        [E(BUILD, status=Any_(("error", "failure")))],
        edits(workflow__status="unauthorized"),
    ),
    Case(
        "cc-wf-tag",
        "circleci",
        WF,
        "a tag pipeline: vcs.tag v2.1.0 and no vcs.branch -> branch None",
        [E(BUILD, status="success", branch=None)],
        edits(pipeline__vcs__branch=DROP, pipeline__vcs__tag="v2.1.0"),
    ),
    Case(
        "cc-wf-branch-slashes",
        "circleci",
        WF,
        "branch with slashes",
        [E(BUILD, branch="feature/x/y")],
        edits(pipeline__vcs__branch="feature/x/y"),
    ),
    Case(
        "cc-wf-gitlab-project",
        "circleci",
        WF,
        "a GitLab-hosted project (slug gh/… is github; gitlab/… uses the vcs URL): repository from the "
        "target repository URL group/subgroup/project",
        [E(BUILD, repository="acme/platform/api")],
        edits(
            project__slug="circleci/9d5d3b61-4de8-4c01-8d0e-6a8a6a2f7c11/8a2f7c11-1111-2222-3333-444455556666",
            pipeline__vcs__provider_name="gitlab",
            pipeline__vcs__origin_repository_url="https://gitlab.com/acme/platform/api",
            pipeline__vcs__target_repository_url="https://gitlab.com/acme/platform/api",
        ),
    ),
    Case(
        "cc-wf-redelivery",
        "circleci",
        WF,
        "the same delivery resent (same body id): same event id",
        [E(BUILD, status="success")],
        same_id_as="cc-wf-success-verbatim",
    ),
    Case(
        "cc-job-success-verbatim",
        "circleci",
        JOB,
        "the fixture verbatim: job test succeeded",
        [
            E(
                BUILD,
                status="success",
                kind="job",
                name="test",
                repository="circleci/webhook-service",
                branch="main",
                sha="1dc6aa69429bff4806ad6afe58d3d8f57e25973e",
                started_at="2021-09-01T22:49:28.841Z",
                finished_at="2021-09-01T22:49:34.170Z",
                duration_s=5.329,
            )
        ],
    ),
    Case(
        "cc-job-failed",
        "circleci",
        JOB,
        "job failed -> failure",
        [E(BUILD, status="failure", kind="job")],
        edits(job__status="failed"),
    ),
    Case(
        "cc-job-canceled",
        "circleci",
        JOB,
        "job canceled -> cancelled",
        [E(BUILD, status="cancelled", kind="job")],
        edits(job__status="canceled"),
    ),
]

JK_BASE = {
    "provider": "jenkins",
    "kind": Any_(("job", "pipeline")),
    "sha": "c6d86dc654b12425e706bcf951adfe5a8627a517",
    "branch": "master",
    "name": "asgard",
}
T0 = 1630536568000  # 2021-09-01T22:49:28Z in ms
CASES += [
    Case(
        "jk-completed-success-verbatim",
        "jenkins",
        JK,
        "the fixture verbatim: COMPLETED SUCCESS, scm.branch origin/master -> master",
        [E(BUILD, status="success", **JK_BASE)],
    ),
    Case(
        "jk-finalized-same-build",
        "jenkins",
        JK,
        "FINALIZED after COMPLETED (one build sends both): the same build -> at most the same event id",
        [E(BUILD, status="success")],
        edits(build__phase="FINALIZED"),
        same_id_as="jk-completed-success-verbatim",
    ),
    Case(
        "jk-started",
        "jenkins",
        JK,
        "STARTED: not finished",
        [],
        edits(build__phase="STARTED", build__status=DROP),
    ),
    Case(
        "jk-queued",
        "jenkins",
        JK,
        "QUEUED: not started",
        [],
        edits(build__phase="QUEUED", build__status=DROP),
    ),
    Case(
        "jk-failure",
        "jenkins",
        JK,
        "FAILURE -> failure",
        [E(BUILD, status="failure", **JK_BASE)],
        edits(build__status="FAILURE"),
    ),
    Case(
        "jk-unstable",
        "jenkins",
        JK,
        "UNSTABLE (tests failed) -> failure",
        [E(BUILD, status="failure")],
        edits(build__status="UNSTABLE"),
    ),
    Case(
        "jk-aborted",
        "jenkins",
        JK,
        "ABORTED -> cancelled",
        [E(BUILD, status="cancelled")],
        edits(build__status="ABORTED"),
    ),
    Case(
        "jk-not-built",
        "jenkins",
        JK,
        "NOT_BUILT -> skipped",
        [E(BUILD, status="skipped")],
        edits(build__status="NOT_BUILT"),
    ),
    Case(
        "jk-timestamp-duration",
        "jenkins",
        JK,
        "newer plugin: build.timestamp (start, ms) and build.duration (ms) give start, finish and duration",
        [
            E(
                BUILD,
                status="success",
                started_at="2021-09-01T22:49:28Z",
                finished_at="2021-09-01T22:51:28Z",
                duration_s=120.0,
                occurred_at="2021-09-01T22:51:28Z",
            )
        ],
        edits(build__timestamp=T0, build__duration=120000),
    ),
    Case(
        "jk-branch-refs-heads",
        "jenkins",
        JK,
        "multibranch/git plugin reporting refs/heads/release/1.x: branch release/1.x",
        [E(BUILD, branch="release/1.x")],
        edits(build__scm__branch="refs/heads/release/1.x"),
    ),
    Case(
        "jk-branch-origin-slashes",
        "jenkins",
        JK,
        "origin/feature/a-b: the remote name goes, the slashes of the branch stay",
        [E(BUILD, branch="feature/a-b")],
        edits(build__scm__branch="origin/feature/a-b"),
    ),
    Case(
        "jk-repository-from-scm-url",
        "jenkins",
        JK,
        "repository from scm.url https://github.com/evgeny-goldin/asgard.git -> evgeny-goldin/asgard "
        "(the name GitHub events use, so builds join commits)",
        [E(BUILD, repository="evgeny-goldin/asgard")],
    ),
    Case(
        "jk-folder-job",
        "jenkins",
        JK,
        "a job in a folder (name team/asgard, url job/team/job/asgard/): a distinct build from job asgard",
        [E(BUILD, name=Any_(("team/asgard", "asgard")))],
        edits(
            name="team/asgard",
            url="job/team/job/asgard/",
            build__url="job/team/job/asgard/18/",
            build__full_url="http://localhost:8080/job/team/job/asgard/18/",
        ),
        other_id_than="jk-completed-success-verbatim",
    ),
]
