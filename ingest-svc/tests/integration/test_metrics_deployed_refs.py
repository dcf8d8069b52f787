"""A deployment's commits come from the pushes of the branch holding its commit, even when the ref it
names is no such branch (a release tag, the sha itself) or the repository is spelled in another case
than the pushes spell it (a service catalog or clone URL typed by hand); environments differing only in
case are one timeline. Real JetStream and PostgreSQL, through the metrics module's consumers, with late
pushes folded in too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from metrics_testkit import deployment, month_summary, push

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

REPO = "acme/docs"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 12, hour, minute, tzinfo=UTC)


async def test_tag_and_sha_refs_take_the_branch_their_commit_was_pushed_to(servers, namespace) -> None:
    """By hand. main gets c0 (08:00), D0 deploys it from main at 09:00: 1 h. c1 (10:00) and c2 (10:30)
    are pushed to main at 10:40; D1 deploys the tag `v2.4.0` (= c2) at 12:00: c1 2 h, c2 1.5 h. c3 (13:00)
    is pushed to main at 13:10, but the push arrives after D2, which names the sha as its ref and
    finishes at 14:00: c3 1 h. Before the fix D1 and D2 read the pushes of a `v2.4.0` or `<sha>` branch
    that no push ever named, so only their own commit counted (c1 was lost)."""
    first = [
        push(REPO, [("c0", at(8))], at(8, 5)),
        deployment("gha:docs@0", "docs", at(9), sha="c0", repo=REPO),
        push(REPO, [("c1", at(10)), ("c2", at(10, 30))], at(10, 40)),
        deployment("gha:docs@1", "docs", at(12), sha="c2", repo=REPO, ref="refs/tags/v2.4.0"),
        deployment("gha:docs@2", "docs", at(14), sha="c3", repo=REPO, ref="c3"),
    ]
    late = [push(REPO, [("c3", at(13))], at(13, 10))]
    summary = await month_summary(servers, namespace, [first, late], at(0))
    lead = summary["lead_time"]
    assert summary["deployment_frequency"]["count"] == 3
    assert sorted(lead["commit_ids"]) == ["c0", "c1", "c2", "c3"]
    assert lead["median_s"] == pytest.approx(4500.0)  # the middle two of 3600, 3600, 5400, 7200
    assert summary["change_failure_rate"]["failed"] == 0


async def test_a_ref_that_holds_the_commit_keeps_its_branch(servers, namespace) -> None:
    """By hand. c1 (09:00) is pushed to a feature branch at 09:10 and merged to main with c2 (10:00),
    pushed at 10:10; D1 deploys c2 from main at 11:00, after D0 (c0 at 08:00, deployed 08:30). Main holds
    c2, so D1 keeps main: c1 2 h, c2 1 h, c0 30 min; median 1 h."""
    events = [
        push(REPO, [("c0", at(8))], at(8, 5)),
        deployment("gha:docs@0", "docs", at(8, 30), sha="c0", repo=REPO),
        push(REPO, [("c1", at(9))], at(9, 10), branch="feature/x"),
        push(REPO, [("c1", at(9)), ("c2", at(10))], at(10, 10)),
        deployment("gha:docs@1", "docs", at(11), sha="c2", repo=REPO),
    ]
    summary = await month_summary(servers, namespace, [events], at(0))
    assert sorted(summary["lead_time"]["commit_ids"]) == ["c0", "c1", "c2"]
    assert summary["lead_time"]["median_s"] == pytest.approx(3600.0)


async def test_repository_names_match_whatever_their_case(servers, namespace) -> None:
    """By hand. Pushes say `acme/checkout`; the deployment (its repository from a catalog that writes
    `Acme/Checkout`) ships c2 at 10:00 with c1 (08:00) and c2 (09:30): 2 h and 30 min, median 75 min.
    Before the fix the deployment found no push of `Acme/Checkout`: c1 was lost."""
    events = [
        push("acme/checkout", [("c1", at(8)), ("c2", at(9, 30))], at(9, 35)),
        deployment("k8s:checkout@2", "checkout", at(10), sha="c2", repo="Acme/Checkout", ref=None),  # type: ignore[arg-type]
    ]
    summary = await month_summary(servers, namespace, [events], at(0))
    assert sorted(summary["lead_time"]["commit_ids"]) == ["c1", "c2"]
    assert summary["lead_time"]["median_s"] == pytest.approx(4500.0)


async def test_environment_names_that_differ_in_case_are_one_timeline(servers, namespace) -> None:
    """By hand. GitHub environment names ignore case: D1 to `Production-EU` ships c1 (06:00) at 10:00,
    4 h; D2 to `production-eu` ships c2 (11:00) at 12:00, 1 h, and not c1 again (before the fix D2 was
    the first deployment of another timeline and took c1 too: 4 h, 6 h, 1 h). Median 2.5 h."""
    events = [
        push(REPO, [("c1", at(6))], at(6, 5)),
        deployment("gha:geo@1", "geo", at(10), sha="c1", repo=REPO, env="Production-EU"),
        push(REPO, [("c2", at(11))], at(11, 5)),
        deployment("gha:geo@2", "geo", at(12), sha="c2", repo=REPO, env="production-eu"),
    ]
    summary = await month_summary(servers, namespace, [events], at(0))
    assert summary["lead_time"]["n"] == 2
    assert summary["lead_time"]["median_s"] == pytest.approx(9000.0)
