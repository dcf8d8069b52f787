"""A CI workflow and its deploy jobs are one deployment per environment, whichever hooks arrive.

GitHub sends `workflow_run` for a run and `workflow_job` for each of its jobs; CircleCI sends
`workflow-completed` and `job-completed`. A workflow named `Deploy` (or `build-test-deploy`) with a
`deploy-production` job used to give two production deployments, doubling deployment frequency and
the change failure rate's denominator. Found by the held-out DORA scenarios (bench/dora/heldout,
round 2). Both hooks now key the deployment by the run (attempt) and environment, and the workflow's
event counts as of its start so the job's event, with the job's own finish, wins the merge.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from em_shared.contracts.deployments import DeploymentChanged
from ingest_svc.domain import intake
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named


def _deployments(source: str, event_type: str, body: dict[str, Any]) -> list[DeploymentChanged]:
    src = SOURCES[source]
    payload = intake.decode(src, "application/json", json.dumps(body).encode())  # GitHub's projection too
    delivery = Delivery("d-1", source, "default", event_type, payload, datetime(2026, 9, 15, tzinfo=UTC), {})
    return [e.event for e in src.normalize(delivery, Catalog()) if isinstance(e.event, DeploymentChanged)]


def _github_run(name: str, run_id: int, attempt: int = 1) -> dict[str, Any]:
    body = copy.deepcopy(json.loads(sample_named("github/workflow_run.completed.json").body))
    body["workflow_run"].update(
        id=run_id, name=name, run_attempt=attempt, conclusion="success",
        run_started_at="2026-09-15T09:35:00Z", updated_at="2026-09-15T10:01:00Z",
    )  # fmt: skip
    body["repository"].update(name="shop", full_name="acme/shop")
    return body


def _github_job(name: str, job_id: int, run_id: int, attempt: int = 1) -> dict[str, Any]:
    body = copy.deepcopy(json.loads(sample_named("github_actions/workflow_job.completed.failure.json").body))
    body["workflow_job"].update(
        id=job_id, run_id=run_id, run_attempt=attempt, name=name, workflow_name="Deploy", conclusion="success",
        started_at="2026-09-15T09:50:00Z", completed_at="2026-09-15T10:00:00Z",
    )  # fmt: skip
    body["repository"].update(name="shop", full_name="acme/shop")
    return body


def test_a_github_run_and_its_production_job_share_one_deployment_key() -> None:
    [run] = _deployments("github", "workflow_run", _github_run("Deploy", 7000))
    [prod] = _deployments("github", "workflow_job", _github_job("deploy-production", 7002, 7000))
    [staging] = _deployments("github", "workflow_job", _github_job("deploy-staging", 7001, 7000))
    assert run.deployment_key == prod.deployment_key == "acme/shop#run7000.1:production"
    assert staging.deployment_key == "acme/shop#run7000.1:staging"
    assert run.id != prod.id  # two events of one deployment fact
    # the job's event is the later one, so its finish (10:00) wins over the run's (10:01)
    assert run.occurred_at == datetime(2026, 9, 15, 9, 35, tzinfo=UTC) < prod.occurred_at
    assert (run.finished_at, prod.finished_at) == (
        datetime(2026, 9, 15, 10, 1, tzinfo=UTC),
        datetime(2026, 9, 15, 10, 0, tzinfo=UTC),
    )


def test_a_rerun_attempt_is_another_deployment() -> None:
    [first] = _deployments("github", "workflow_job", _github_job("deploy-production", 7002, 7000, attempt=1))
    [second] = _deployments("github", "workflow_job", _github_job("deploy-production", 7003, 7000, attempt=2))
    assert first.deployment_key != second.deployment_key


def test_a_circleci_workflow_and_its_deploy_job_share_one_deployment_key() -> None:
    job = copy.deepcopy(json.loads(sample_named("circleci/job-completed.github_oauth.json").body))
    job["job"]["name"] = "deploy-prod"
    workflow = copy.deepcopy(json.loads(sample_named("circleci/workflow-completed.github_oauth.json").body))
    assert workflow["workflow"]["name"] == "build-test-deploy"  # CircleCI's own example deploys by name
    workflow["workflow"]["id"] = job["workflow"]["id"]
    [from_job] = _deployments("circleci", "job-completed", job)
    [from_workflow] = _deployments("circleci", "workflow-completed", workflow)
    assert from_job.deployment_key == from_workflow.deployment_key
    assert from_job.deployment_key == f"workflow:{job['workflow']['id']}:production"
    assert from_workflow.occurred_at < from_job.occurred_at  # counted as of the workflow's start


def test_a_job_without_a_run_keeps_its_own_key() -> None:
    body = _github_job("deploy-production", 7002, 7000)
    del body["workflow_job"]["run_id"]
    [dep] = _deployments("github", "workflow_job", body)
    assert dep.deployment_key == "acme/shop#job7002"


def _jenkins(job: str) -> dict[str, Any]:
    body = copy.deepcopy(json.loads(sample_named("jenkins/notification_plugin.completed_success.json").body))
    body["name"] = job
    body["display_name"] = job
    return body


def test_a_rollback_job_is_a_production_deployment_flagged_as_a_rollback() -> None:
    # A job that rolls production back deploys an older version: without it the failure it answers
    # is never seen (no next deployment, so no rollback evidence) and deployment frequency undercounts.
    for job in ("rollback-production", "orders_roll_back_prod", "Roll back storefront (production)"):
        body = _jenkins(job)
        [deployment] = _deployments("jenkins", SOURCES["jenkins"].event_type({}, body), body)
        assert deployment.is_rollback and deployment.environment == "production", job
    body = _jenkins("nightly-integration-tests")
    assert _deployments("jenkins", SOURCES["jenkins"].event_type({}, body), body) == []


def test_rolling_back_and_rolled_back_read_as_rollbacks() -> None:
    from ingest_svc.domain.normalizers import heuristics

    assert heuristics.is_rollback("ECS deployment circuit breaker: rolling back to deployment ecs-svc/123")
    assert heuristics.is_rollback("rolled back to v41")
    assert not heuristics.is_rollback("scrolling backlog")
