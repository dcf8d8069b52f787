"""Vendor webhooks for the held-out DORA scenarios, built from the real fixtures in tests/fixtures/webhooks.

Each builder takes one scenario step and returns (source, headers, body): the fixture's body with the
fields the step names replaced, so the normalizers read the shapes the vendors really send.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "webhooks"
ZERO = "0" * 40


def sha_of(scenario: str, token: str) -> str:
    """The 40-hex sha a scenario's commit token stands for."""
    return hashlib.sha1(f"{scenario}:{token}".encode()).hexdigest()


def expand(scenario: str, value: str | None) -> str | None:
    """`{sha:a1}` inside text becomes a1's sha; `{sha7:a1}` (any length) its abbreviation, as image tags
    and Heroku's `Deploy 1a2b3c4d` descriptions write it."""
    if value is None:
        return None
    return re.sub(
        r"\{sha(\d*):([^}]+)\}",
        lambda m: sha_of(scenario, m[2])[: int(m[1]) if m[1] else 40],
        value,
    )


def _fixture(path: str) -> dict[str, Any]:
    return json.loads((FIXTURES / path).read_text())


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _uid(scenario: str, index: int) -> str:
    return str(uuid.UUID(hashlib.md5(f"{scenario}#{index}".encode()).hexdigest()))


def _github_repo(body: dict[str, Any], repo: str) -> None:
    owner, name = repo.split("/")
    body["repository"] = {
        **body.get("repository", {}),
        "name": name,
        "full_name": repo,
        "owner": {"login": owner},
        "default_branch": "main",
    }


def gh_push(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("github/push.json")
    body = copy.deepcopy(fx["body"])
    commits = []
    for c in s["commits"]:
        token, at = c[0], c[1]
        message = expand(sid, c[2]) if len(c) > 2 else f"change {token}"
        commits.append(
            {
                "id": sha_of(sid, token),
                "tree_id": sha_of(sid, token + "-tree"),
                "distinct": True,
                "message": message,
                "timestamp": at,
                "url": f"https://github.com/{s['repo']}/commit/{sha_of(sid, token)}",
                "author": {"name": "Dev", "email": "dev@example.com", "username": "dev"},
                "committer": {"name": "Dev", "email": "dev@example.com", "username": "dev"},
                "added": [],
                "removed": [],
                "modified": ["app.py"],
            }
        )
    body.update(
        ref=f"refs/heads/{s.get('branch', 'main')}",
        before=sha_of(sid, s["before"]) if s.get("before") else ZERO,
        after=commits[-1]["id"],
        created=False,
        deleted=False,
        forced=False,
        base_ref=None,
        commits=commits,
        head_commit=commits[-1],
    )
    _github_repo(body, s["repo"])
    if "pushed_at" in s:  # when the push happened (a merge of week-old work has an old head commit)
        body["repository"]["pushed_at"] = int(_iso(s["pushed_at"]).timestamp())
    headers = {**fx["headers"], "X-GitHub-Delivery": _uid(sid, i)}
    return "github", headers, body


def gh_deploy(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("github/deployment_status.success.json")
    body = copy.deepcopy(fx["body"])
    at = _iso(s["at"])
    created = s.get("created") or _z(at - timedelta(minutes=5))
    dep, st = body["deployment"], body["deployment_status"]
    dep.update(
        id=s["id"],
        sha=sha_of(sid, s["sha"]),
        ref=expand(sid, s.get("ref", "main")),  # a ref may be a branch, a tag or a sha (`{sha:a1}`)
        environment=s["env"],
        original_environment=s["env"],
        description=None,
        created_at=created,
        updated_at=s["at"],
    )
    st.update(
        id=s["id"] * 100 + i,
        state=s["state"],
        environment=s["env"],
        description=s.get("description", ""),
        created_at=s["at"],
        updated_at=s["at"],
    )
    _github_repo(body, s["repo"])
    headers = {**fx["headers"], "X-GitHub-Delivery": _uid(sid, i)}
    return "github", headers, body


def gh_pr(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("github/pull_request.closed.json")
    body = copy.deepcopy(fx["body"])
    merged = _iso(s["merged"])
    pr = body["pull_request"]
    pr.update(
        number=s["number"],
        title=s["title"],
        body=s.get("body"),
        state="closed",
        merged=True,
        merged_at=s["merged"],
        closed_at=s["merged"],
        created_at=_z(merged - timedelta(hours=2)),
        updated_at=s["merged"],
        merge_commit_sha=sha_of(sid, s["merge_sha"]),
        labels=[{"name": n} for n in s.get("labels", [])],
    )
    pr["head"] = {
        **pr.get("head", {}),
        "ref": s.get("head_branch", "feature"),
        "sha": sha_of(sid, s["commits"][-1]),
    }
    pr["base"] = {**pr.get("base", {}), "ref": "main"}
    body.update(action="closed", number=s["number"])
    _github_repo(body, s["repo"])
    headers = {**fx["headers"], "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": _uid(sid, i)}
    return "github", headers, body


def gha_job(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("github_actions/workflow_job.completed.failure.json")
    body = copy.deepcopy(fx["body"])
    job = body["workflow_job"]
    job.update(
        id=s["id"],
        run_id=s.get("run_id", s["id"] * 10),  # a job's run is the workflow_run's id
        run_attempt=1,
        name=s["name"],
        workflow_name=s["workflow"],
        status="completed",
        conclusion=s["conclusion"],
        head_sha=sha_of(sid, s["sha"]),
        head_branch=s.get("branch", "main"),
        created_at=s["started"],
        started_at=s["started"],
        completed_at=s["completed"],
    )
    body["action"] = "completed"
    _github_repo(body, s["repo"])
    headers = {**fx["headers"], "X-GitHub-Delivery": _uid(sid, i)}
    return "github", headers, body


def gha_run(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("github/workflow_run.completed.json")
    body = copy.deepcopy(fx["body"])
    run = body["workflow_run"]
    run.update(
        id=s["id"],
        name=s["name"],
        display_title=s.get("title", s["name"]),
        run_attempt=1,
        status="completed",
        conclusion=s["conclusion"],
        head_sha=sha_of(sid, s["sha"]),
        head_branch=s.get("branch", "main"),
        event="push",
        created_at=s["started"],
        run_started_at=s["started"],
        updated_at=s["completed"],
    )
    body["action"] = "completed"
    if isinstance(body.get("workflow"), dict):
        body["workflow"]["name"] = s["name"]
    _github_repo(body, s["repo"])
    headers = {**fx["headers"], "X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": _uid(sid, i)}
    return "github", headers, body


def _gitlab_project(body: dict[str, Any], repo: str) -> None:
    body["project"] = {
        **body.get("project", {}),
        "name": repo.split("/")[-1],
        "path_with_namespace": repo,
        "web_url": f"https://gitlab.example.com/{repo}",
        "default_branch": "main",
    }


def gl_push(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("gitlab/push.json")
    body = copy.deepcopy(fx["body"])
    commits = []
    for c in s["commits"]:
        token, at = c[0], c[1]
        message = expand(sid, c[2]) if len(c) > 2 else f"change {token}\n"
        commits.append(
            {
                "id": sha_of(sid, token),
                "message": message,
                "title": message.splitlines()[0],
                "timestamp": at,
                "url": f"https://gitlab.example.com/{s['repo']}/-/commit/{sha_of(sid, token)}",
                "author": {"name": "Dev", "email": "dev@example.com"},
                "added": [],
                "modified": ["app.rb"],
                "removed": [],
            }
        )
    body.update(
        ref=f"refs/heads/{s.get('branch', 'main')}",
        before=ZERO,
        after=commits[-1]["id"],
        checkout_sha=commits[-1]["id"],
        commits=commits,
        total_commits_count=len(commits),
    )
    _gitlab_project(body, s["repo"])
    headers = {**fx["headers"], "X-Gitlab-Event-UUID": _uid(sid, i)}
    return "gitlab", headers, body


def gl_deploy(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("gitlab/deployment.success.json")
    body = copy.deepcopy(fx["body"])
    sha = sha_of(sid, s["sha"])
    body.update(
        status=s["status"],
        status_changed_at=s["at"],
        deployment_id=s["id"],
        deployable_id=s["id"] * 10,
        environment=s["env"],
        environment_slug=s["env"],
        ref=s.get("ref", "main"),
        short_sha=sha[:8],
        commit_url=f"https://gitlab.example.com/{s['repo']}/-/commit/{sha}",
        commit_title=s.get("commit_title", f"change {s['sha']}"),
        deployable_url=f"https://gitlab.example.com/{s['repo']}/-/jobs/{s['id'] * 10}",
    )
    _gitlab_project(body, s["repo"])
    headers = {**fx["headers"], "X-Gitlab-Event-UUID": _uid(sid, i)}
    return "gitlab", headers, body


def argocd(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("argocd/sync.succeeded.json")
    body = copy.deepcopy(fx["body"])
    phase = s["phase"]
    body.update(
        app=s["app"],
        repo_url=expand(sid, s.get("repo_url")) or f"https://github.com/{s['repo']}.git",
        destination_namespace=s["namespace"],
        revision=sha_of(sid, s["revision"]),
        operation_phase=phase,
        started_at=s["started"],
        finished_at=s["finished"],
        sync_status="Synced" if phase == "Succeeded" else "OutOfSync",
        health="Healthy" if phase == "Succeeded" else "Degraded",
        trigger=s.get("trigger", f"on-sync-{phase.lower()}"),
        message=s.get(
            "message", "successfully synced (all tasks run)" if phase == "Succeeded" else "sync failed"
        ),
    )
    if "environment" in s:
        body["environment"] = s["environment"]
    return "argocd", dict(fx["headers"]), body


def ecs(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("aws_ecs/deployment_state_change.completed.json")
    body = copy.deepcopy(fx["body"])
    body.update(
        id=_uid(sid, i),
        time=s["at"],
        resources=[f"arn:aws:ecs:us-west-2:111122223333:service/{s['cluster']}/{s['service']}"],
    )
    body["detail"] = {
        "eventType": "ERROR" if s["event"].endswith("FAILED") else "INFO",
        "eventName": s["event"],
        "deploymentId": s["deployment"],
        "updatedAt": s["at"],
        "reason": s.get(
            "reason", f"ECS deployment {s['deployment']} {s['event'].rsplit('_', 1)[-1].lower()}."
        ),
    }
    return "ecs", dict(fx["headers"]), body


def heroku(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("heroku/api:release.create.json")
    body = copy.deepcopy(fx["body"])
    at = s["at"]
    event_id = _uid(sid, i)
    body.update(id=event_id, created_at=at, updated_at=at, action=s.get("action", "create"))
    body["data"].update(
        app={"id": _uid(sid, -1), "name": s["app"]},
        id=s["release"],
        version=s["version"],
        status=s["status"],
        description=expand(sid, s["description"]),
        created_at=at,
        updated_at=at,
        user={"email": "dev@example.com", "id": _uid(sid, -2)},
    )
    if s.get("slug"):  # a build's release names its slug (a config change's release has none)
        body["data"]["slug"] = {"id": _uid(sid, -4)}
    body["webhook_metadata"]["event"]["id"] = event_id
    body["webhook_metadata"]["delivery"]["id"] = _uid(sid, 1000 + i)
    return "heroku", dict(fx["headers"]), body


def k8s(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("kubernetes/deployment.rollout_complete.json")
    body = copy.deepcopy(fx["body"])
    rev = int(s["revision"])
    meta = body["metadata"]
    meta.update(
        name=s["name"],
        namespace=s["namespace"],
        generation=rev,
        resourceVersion=str(900000 + rev * 10),
        labels={"app.kubernetes.io/name": s["name"]},
        annotations={"deployment.kubernetes.io/revision": str(rev)},
    )
    body["spec"]["template"]["spec"]["containers"][0].update(name=s["name"], image=expand(sid, s["image"]))
    body["status"]["observedGeneration"] = rev
    for cond in body["status"]["conditions"]:
        cond["lastUpdateTime"] = s["at"]
        if cond["type"] == "Progressing" and s.get("progress") == "deadline":
            cond.update(
                status="False",
                reason="ProgressDeadlineExceeded",
                lastTransitionTime=s["at"],
                message=f'ReplicaSet "{s["name"]}-{rev}" has timed out progressing.',
            )
    if s.get("progress") == "deadline":
        body["status"].update(updatedReplicas=1, readyReplicas=body["spec"]["replicas"] - 1)
    return "kubernetes", dict(fx["headers"]), body


def circleci_job(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("circleci/job-completed.github_oauth.json")
    body = copy.deepcopy(fx["body"])
    slug = s["slug"]
    repo = "/".join(slug.split("/")[1:])
    body.update(id=_uid(sid, i), happened_at=s["stopped"])
    body["project"] = {"id": _uid(sid, -3), "name": repo.split("/")[-1], "slug": slug}
    vcs = body["pipeline"]["vcs"]
    vcs.update(
        revision=sha_of(sid, s["sha"]),
        branch=s.get("branch", "main"),
        origin_repository_url=f"https://github.com/{repo}",
        target_repository_url=f"https://github.com/{repo}",
    )
    # A job's workflow id is its workflow-completed hook's id (`workflow_run` names it in a scenario).
    wf_id = _uid(sid, f"wf{s['workflow_run']}") if "workflow_run" in s else _uid(sid, 2000 + i)
    body["workflow"].update(id=wf_id, name=s["workflow"], stopped_at=s["stopped"])
    body["job"].update(
        id=_uid(sid, 3000 + i),
        name=s["name"],
        number=s["id"],
        status=s["status"],
        started_at=s["started"],
        stopped_at=s["stopped"],
    )
    return "circleci", dict(fx["headers"]), body


def circleci_workflow(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("circleci/workflow-completed.github_oauth.json")
    body = copy.deepcopy(fx["body"])
    slug = s["slug"]
    repo = "/".join(slug.split("/")[1:])
    body.update(id=_uid(sid, i), happened_at=s["stopped"])
    body["project"] = {"id": _uid(sid, -3), "name": repo.split("/")[-1], "slug": slug}
    body["pipeline"]["vcs"].update(
        revision=sha_of(sid, s["sha"]),
        branch=s.get("branch", "main"),
        origin_repository_url=f"https://github.com/{repo}",
        target_repository_url=f"https://github.com/{repo}",
    )
    body["workflow"].update(
        id=_uid(sid, f"wf{s.get('workflow_run', s['id'])}"),
        name=s["name"],
        status=s["status"],
        created_at=s["started"],
        stopped_at=s["stopped"],
    )
    return "circleci", dict(fx["headers"]), body


def jenkins(sid: str, i: int, s: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    fx = _fixture("jenkins/notification_plugin.completed_success.json")
    body = copy.deepcopy(fx["body"])
    started = _iso(s["started"])
    body.update(name=s["job"], url=f"job/{s['job']}/")
    body["build"].update(
        number=s["number"],
        phase="COMPLETED",
        status=s["status"],
        url=f"job/{s['job']}/{s['number']}/",
        full_url=f"https://jenkins.example.com/job/{s['job']}/{s['number']}/",
        timestamp=int(started.timestamp() * 1000),
        duration=int(s["duration_s"] * 1000),
        scm={"url": s["scm"], "branch": s["branch"], "commit": sha_of(sid, s["sha"])},
    )
    return "jenkins", dict(fx["headers"]), body


BUILDERS = {
    "gh_push": gh_push,
    "gh_deploy": gh_deploy,
    "gh_pr": gh_pr,
    "gha_job": gha_job,
    "gha_run": gha_run,
    "circleci_workflow": circleci_workflow,
    "gl_push": gl_push,
    "gl_deploy": gl_deploy,
    "argocd": argocd,
    "ecs": ecs,
    "heroku": heroku,
    "k8s": k8s,
    "circleci_job": circleci_job,
    "jenkins": jenkins,
}
