"""GitLab deployment hooks: the deployed commit is named by its full sha, so DORA can match it to pushes.

GitLab's deployment hook carries `short_sha` (8 characters) and `commit_url`, whose last segment is the
full sha; pushes carry full shas. Found by the held-out DORA scenarios (bench/dora/heldout): with the
short sha, no GitLab deployment had a lead time and an older-sha rollback matched no pushed commit.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named

GITLAB = SOURCES["gitlab"]
FULL = "279484c09fbe69ededfced8c1bb6e6d24616b468"  # the fixture's commit_url


def _deployment(body: dict[str, Any]) -> Any:
    delivery = Delivery("d-1", "gitlab", "default", "deployment", body, datetime(2021, 4, 28, tzinfo=UTC), {})
    [emitted] = GITLAB.normalize(delivery, Catalog())
    return emitted.event


def _fixture() -> dict[str, Any]:
    return json.loads(sample_named("gitlab/deployment.success.json").body)


def test_the_deployed_sha_is_the_full_sha_of_the_commit_url() -> None:
    event = _deployment(_fixture())
    assert _fixture()["short_sha"] == FULL[:8]
    assert event.sha == FULL
    assert (event.provider, event.environment, event.status) == ("gitlab", "staging", "success")


def test_without_a_commit_url_the_short_sha_stands() -> None:
    body = copy.deepcopy(_fixture())
    del body["commit_url"]
    assert _deployment(body).sha == FULL[:8]


def test_a_commit_url_naming_another_commit_is_not_trusted() -> None:
    body = copy.deepcopy(_fixture())
    body["commit_url"] = body["commit_url"].replace(FULL, "f" * 40)
    assert _deployment(body).sha == FULL[:8]


def test_a_sha256_repository_commit_url_gives_the_64_hex_sha() -> None:
    body = copy.deepcopy(_fixture())
    long = FULL[:8] + "a" * 56
    body["commit_url"] = f"http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/{long}"
    assert _deployment(body).sha == long
