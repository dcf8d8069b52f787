"""A CI workflow reported both as a run and as its jobs counts as one production deployment.

GitHub's `workflow_run` and `workflow_job` hooks for one `Deploy` run (jobs `deploy-staging` and
`deploy-production`) go through ingest-svc's GitHub normalizer and the metrics module's consumers on
real JetStream and PostgreSQL, in both arrival orders. Before, the run was a second production
deployment (count 2, change failure rate over 2).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_svc.domain import intake
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named
from metrics_testkit import month_summary, push

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

SHA = "5cb1cc44" + "0" * 32


def _hook(fixture: str, event_type: str, key: str, fields: dict[str, Any]) -> list[tuple[str, Any]]:
    body = copy.deepcopy(json.loads(sample_named(fixture).body))
    body[key].update(head_sha=SHA, head_branch="main", run_attempt=1, conclusion="success", **fields)
    body["repository"].update(name="shop", full_name="acme/shop")
    github = SOURCES["github"]
    payload = intake.decode(github, "application/json", json.dumps(body).encode())
    delivery = Delivery(
        f"{event_type}-{body[key]['id']}", "github", "default", event_type, payload, datetime.now(UTC)
    )
    return [(e.subject, e.event) for e in github.normalize(delivery, Catalog())]


def _job(job_id: int, name: str, started: str, completed: str) -> list[tuple[str, Any]]:
    fields = {"id": job_id, "run_id": 7000, "name": name, "workflow_name": "Deploy"}
    fields |= {"started_at": started, "completed_at": completed}
    return _hook("github_actions/workflow_job.completed.failure.json", "workflow_job", "workflow_job", fields)


def _run() -> list[tuple[str, Any]]:
    fields = {"id": 7000, "name": "Deploy", "run_started_at": "2026-09-15T09:35:00Z"}
    fields |= {"updated_at": "2026-09-15T10:01:00Z"}
    return _hook("github/workflow_run.completed.json", "workflow_run", "workflow_run", fields)


@pytest.mark.parametrize("run_first", [False, True])
async def test_a_deploy_run_and_its_jobs_are_one_production_deployment(servers, namespace, run_first) -> None:
    """By hand: SHA committed 09:00; deploy-production finishes 10:00 (the run at 10:01): one
    production deployment, lead time 3600 s (the job's finish, whichever hook arrives first)."""
    jobs = _job(7001, "deploy-staging", "2026-09-15T09:35:00Z", "2026-09-15T09:40:00Z") + _job(
        7002, "deploy-production", "2026-09-15T09:50:00Z", "2026-09-15T10:00:00Z"
    )
    hooks = _run() + jobs if run_first else jobs + _run()
    events = [
        push("acme/shop", [(SHA, datetime(2026, 9, 15, 9, tzinfo=UTC))], datetime(2026, 9, 15, 9, tzinfo=UTC))
    ]
    summary = await month_summary(
        servers, namespace, [events + hooks], datetime(2026, 9, 1, tzinfo=UTC), settle_each=True
    )
    assert summary["deployment_frequency"]["deployment_ids"] == [
        "github_actions:acme/shop#run7000.1:production"
    ]
    assert summary["lead_time"]["median_s"] == pytest.approx(3600.0)
    assert (summary["change_failure_rate"]["failed"], summary["change_failure_rate"]["total"]) == (0, 1)
