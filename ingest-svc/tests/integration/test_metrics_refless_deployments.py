"""A deployment that names its commit but no ref (Argo CD, Heroku, ECS, Kubernetes) ships every commit
pushed to its branch since the previous deployment, as one that names the ref does: the branch is the
one the commit was last pushed to before the deployment finished. Real JetStream and PostgreSQL, through
the metrics module's consumers; a push arriving after the deployment it feeds is folded in too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from metrics_testkit import deployment, month_summary, push

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

REPO = "acme/shop"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


async def test_refless_deployments_take_the_branch_their_commit_was_pushed_to(servers, namespace) -> None:
    """By hand. main gets c1 (09:00) and c2 (09:30), pushed 10:00; D1 deploys c2 at 11:00: c1 2 h, c2 1.5 h.
    c3 (12:00) is pushed to a feature branch at 12:05 and fast-forwarded to main at 12:10; c4 (12:20) is
    pushed to main at 12:30; D2 deploys c4 at 13:00, before those pushes arrive: c3 1 h, c4 40 min.
    Lead times 7200, 5400, 3600, 2400 s (four commits, each counted once)."""
    first = [
        push(REPO, [("c1", at(9)), ("c2", at(9, 30))], at(10)),
        deployment("argocd:shop@1", "shop", at(11), sha="c2", repo=REPO, ref=None),  # type: ignore[arg-type]
        deployment("argocd:shop@2", "shop", at(13), sha="c4", repo=REPO, ref=None),  # type: ignore[arg-type]
    ]
    late = [
        push(REPO, [("c3", at(12))], at(12, 5), branch="feature/cart"),
        push(REPO, [("c3", at(12))], at(12, 10)),
        push(REPO, [("c4", at(12, 20))], at(12, 30)),
    ]
    summary = await month_summary(servers, namespace, [first, late], at(0))
    lead = summary["lead_time"]
    assert summary["deployment_frequency"]["count"] == 2
    assert sorted(lead["commit_ids"]) == ["c1", "c2", "c3", "c4"]
    assert lead["n"] == 4
    assert lead["median_s"] == pytest.approx(4500.0)  # the middle two of 2400, 3600, 5400, 7200
