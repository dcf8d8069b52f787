"""End to end: GitHub webhooks (the published push and deployment_status payloads, signed the
vendor's way) posted to ingest-svc become DORA figures over HTTP.

The payloads are GitHub's own fixtures with their ids, shas and times moved to two recent
deployments of Codertocat/Hello-World and the push that carries their commits:
  commit A at now-4d, B at now-2d, pushed to master;
  deployment 1 of A finishes at now-3d (first deployment: its commits are A; lead 1 d = 86400 s);
  deployment 2 of B finishes at now-30h (commits after A up to B: B; lead 2 d - 30 h = 64800 s).
Median (64800 + 86400) / 2 = 75600; p90 = 64800 + 0.9 * 21600 = 84240. Both windows (24 h) are closed
and nothing failed: change failure rate 0 of 2 (minimum sample 2).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from ingest_svc.settings import IngestSettings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks" / "github"
SECRET = "gh-e2e-dora-secret"


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())["body"]


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _push(now: datetime, sha_a: str, sha_b: str) -> dict[str, Any]:
    body = copy.deepcopy(_fixture("push.json"))
    commit = {
        "tree_id": "0" * 40,
        "distinct": True,
        "url": "https://github.com/Codertocat/Hello-World/commit/",
        "author": {"name": "Codertocat", "email": "c@example.com", "username": "Codertocat"},
        "committer": {"name": "Codertocat", "email": "c@example.com", "username": "Codertocat"},
        "added": [],
        "removed": [],
        "modified": ["README.md"],
    }
    commits = [
        dict(commit, id=sha, message=msg, timestamp=_iso(t))
        for sha, msg, t in (
            (sha_a, "feat: a", now - timedelta(days=4)),
            (sha_b, "feat: b", now - timedelta(days=2)),
        )
    ]
    body.update(
        ref="refs/heads/master",
        before="0" * 39 + "1",
        after=sha_b,
        created=False,
        deleted=False,
        commits=commits,
        head_commit=commits[-1],
    )
    body["repository"]["pushed_at"] = int((now - timedelta(days=2)).timestamp())
    return body


def _deployment(n: int, sha: str, finished: datetime) -> dict[str, Any]:
    body = copy.deepcopy(_fixture("deployment_status.success.json"))
    body["deployment"].update(
        id=1000 + n,
        sha=sha,
        ref="master",
        created_at=_iso(finished - timedelta(minutes=5)),
        updated_at=_iso(finished),
    )
    body["deployment_status"].update(
        id=2000 + n, state="success", created_at=_iso(finished), updated_at=_iso(finished)
    )
    return body


async def _post(http, event: str, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest(),
    }
    r = await http.post("/webhooks/github", content=raw, headers=headers)
    assert r.status_code < 300, r.text


async def test_github_webhooks_become_dora_figures(servers, namespace, tmp_path):
    secrets = tmp_path / "webhook-secrets.yaml"
    secrets.write_text(f"github: {SECRET}\n")
    settings = load_settings(
        IngestSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        webhook_secrets_file=str(secrets),
        metrics_min_sample=2,
    )
    now = datetime.now(UTC).replace(microsecond=0)
    sha_a, sha_b = "a" * 40, "b" * 40
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        await _post(http, "deployment_status", _deployment(1, sha_a, now - timedelta(days=3)))
        await _post(http, "deployment_status", _deployment(2, sha_b, now - timedelta(hours=30)))
        await _post(http, "push", _push(now, sha_a, sha_b))
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            summary = (
                await http.get("/v1/metrics/dora", params={"service": "Hello-World", "bucket": "month"})
            ).json()["summary"]
            if summary["lead_time"]["n"] == 2 or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.3)
    assert summary["deployment_frequency"]["count"] == 2
    assert len(summary["deployment_frequency"]["deployment_ids"]) == 2
    assert (summary["lead_time"]["median_s"], summary["lead_time"]["p90_s"]) == (75600, pytest.approx(84240))
    assert sorted(summary["lead_time"]["commit_ids"]) == [sha_a, sha_b]
    cfr = summary["change_failure_rate"]
    assert (cfr["value"], cfr["failed"], cfr["total"], cfr["pending"]) == (0.0, 0, 2, 0)
