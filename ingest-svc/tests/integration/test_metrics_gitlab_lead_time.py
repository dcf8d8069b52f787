"""A GitLab deployment gets the lead time of the pushed commits it deploys.

GitLab's deployment hook names the commit by `short_sha`; pushes name full shas. The normalizer now
reads the full sha from `commit_url`, so the metrics module finds the deployed commit among the pushes.
Both webhooks are GitLab's published examples, minimally edited, run through ingest-svc's own source
table and then the metrics module's consumers on real JetStream and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named
from metrics_testkit import month_summary

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

SHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"  # the push example's last commit, 2012-01-03 21:36:29Z


def _normalized(name: str, edit: dict[str, Any]) -> list[tuple[str, Any]]:
    body = copy.deepcopy(json.loads(sample_named(name).body)) | edit
    gitlab = SOURCES["gitlab"]
    delivery = Delivery(name, "gitlab", "default", gitlab.event_type({}, body), body, datetime.now(UTC), {})
    return [(e.subject, e.event) for e in gitlab.normalize(delivery, Catalog())]


async def test_a_gitlab_deployment_has_the_lead_time_of_its_pushed_commit(servers, namespace) -> None:
    """By hand: commit da156088, 2012-01-03T23:36:29+02:00 = 21:36:29Z, is pushed to master; GitLab
    deploys it to production at "2012-01-04 01:36:29 +0200" = 23:36:29Z: lead time 2 h = 7200 s."""
    push = json.loads(sample_named("gitlab/push.json").body)
    events = _normalized(
        "gitlab/push.json",
        {"before": push["commits"][0]["id"], "commits": push["commits"][1:], "total_commits_count": 1},
    ) + _normalized(
        "gitlab/deployment.success.json",
        {
            "environment": "production",
            "ref": "master",
            "short_sha": SHA[:8],
            "commit_url": f"http://example.com/mike/diaspora/-/commit/{SHA}",
            "project": push["project"],
            "status_changed_at": "2012-01-04 01:36:29 +0200",
        },
    )
    summary = await month_summary(servers, namespace, [events], datetime(2012, 1, 1, tzinfo=UTC))
    assert summary["deployment_frequency"]["count"] == 1
    assert summary["lead_time"]["commit_ids"] == [SHA]
    assert summary["lead_time"]["median_s"] == pytest.approx(7200.0)
