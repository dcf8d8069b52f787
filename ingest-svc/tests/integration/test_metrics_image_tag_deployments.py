"""A Kubernetes rollout names neither repository nor commit, yet it ships commits: the catalog gives the
service's repository, and an image tag that is a (possibly abbreviated) commit id gives the commit,
resolved against the repository's pushes. So the rollout gets the lead time of the commits it ships.
The rollout is the published-shape fixture through ingest-svc's own normalizer; the metrics module runs
on real JetStream and PostgreSQL."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from em_shared.contracts.deployments import DeploymentChanged
from ingest_svc.domain.catalog import Catalog, CatalogService
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named
from metrics_testkit import month_summary, push

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

FULL = "3f2a1b9c0d4e5f60718293a4b5c6d7e8f9012345"
CATALOG = Catalog([CatalogService(name="web", team="storefront", repositories=["acme/web"], apps=["web"])])


def _rollout(image: str) -> list[tuple[str, DeploymentChanged]]:
    body = copy.deepcopy(json.loads(sample_named("kubernetes/deployment.rollout_complete.json").body))
    body["spec"]["template"]["spec"]["containers"][0]["image"] = image
    k8s = SOURCES["kubernetes"]
    delivery = Delivery("d-1", "kubernetes", "default", k8s.event_type({}, body), body, datetime.now(UTC), {})
    return [(e.subject, e.event) for e in k8s.normalize(delivery, CATALOG)]  # type: ignore[misc]


def test_an_image_tag_that_is_a_commit_names_the_commit_and_the_catalog_the_repository() -> None:
    [(_, sha_tag)] = _rollout("ghcr.io/acme/web:sha-3f2a1b9")
    assert (sha_tag.sha, sha_tag.version, sha_tag.repository) == ("3f2a1b9", "sha-3f2a1b9", "acme/web")
    [(_, semver)] = _rollout("ghcr.io/acme/web:1.42.0@sha256:" + "ab" * 32)
    assert (semver.sha, semver.version) == (None, "1.42.0")
    [(_, dated)] = _rollout("ghcr.io/acme/web:20240610")
    assert dated.sha is None  # digits only: a date or a build number, not a commit


def test_a_git_describe_tag_names_the_commit_after_its_g() -> None:
    """Builds often tag images with `git describe` (`<tag>-<commits since>-g<sha>`): the commit is the
    part after `g`, while a plain release tag or a dated tag names none."""
    [(_, described)] = _rollout("ghcr.io/acme/web:v1.4.2-3-g3f2a1b9")
    assert (described.sha, described.version) == ("3f2a1b9", "v1.4.2-3-g3f2a1b9")
    [(_, long_dirty)] = _rollout("ghcr.io/acme/web:v1.4.2-0-g3f2a1b9c-dirty")
    assert long_dirty.sha == "3f2a1b9c"
    [(_, release)] = _rollout("ghcr.io/acme/web:release-2024-10-01")
    assert release.sha is None


async def test_a_rollout_tagged_with_an_abbreviated_commit_gets_its_lead_time(servers, namespace) -> None:
    """By hand: c-early committed 12:00 and FULL 13:00 are pushed to main at 13:30; the rollout of
    `web:3f2a1b9` to namespace prod completes 2024-06-10 15:00:45: lead times 3 h 00:45 and 2 h 00:45."""
    pushed = push(
        "acme/web",
        [
            ("c0ffee0000000000000000000000000000000001", datetime(2024, 6, 10, 12, tzinfo=UTC)),
            (FULL, datetime(2024, 6, 10, 13, tzinfo=UTC)),
        ],
        datetime(2024, 6, 10, 13, 30, tzinfo=UTC),
    )
    summary = await month_summary(
        servers, namespace, [[pushed], _rollout("ghcr.io/acme/web:3f2a1b9")], datetime(2024, 6, 1, tzinfo=UTC)
    )
    assert summary["deployment_frequency"]["count"] == 1
    assert sorted(summary["lead_time"]["commit_ids"]) == sorted(
        ["c0ffee0000000000000000000000000000000001", FULL]
    )
    assert summary["lead_time"]["median_s"] == pytest.approx((3 * 3600 + 45 + 2 * 3600 + 45) / 2)
