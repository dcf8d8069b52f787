"""A Heroku release webhook names its slug by id only, so the built commit is the one its description
names (`Deploy 1a2b3c4d`, the first 8 hex digits); without it a Heroku deployment had no commit and no
lead time. The release is the real fixture with the description replaced, through the normalizer."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from em_shared.contracts.deployments import DeploymentChanged
from ingest_svc.domain.catalog import Catalog, CatalogService
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named

CATALOG = Catalog([CatalogService(name="shop", apps=["sample-app-0339"], repositories=["acme/shop"])])


def _release(description: str, slug: Any = None) -> DeploymentChanged:
    body = copy.deepcopy(json.loads(sample_named("heroku/api:release.create.json").body))
    body["data"].update(description=description, slug=slug)
    heroku = SOURCES["heroku"]
    delivery = Delivery("d-1", "heroku", "default", heroku.event_type({}, body), body, datetime.now(UTC), {})
    [emitted] = heroku.normalize(delivery, CATALOG)
    assert isinstance(emitted.event, DeploymentChanged)
    return emitted.event


def test_a_build_release_names_its_commit_in_the_description() -> None:
    built = _release("Deploy 1a2b3c4d", slug={"id": "8c7a5e1f-0000-4000-8000-000000000001"})
    assert (built.sha, built.repository, built.is_rollback) == ("1a2b3c4d", "acme/shop", False)


def test_an_embedded_slug_commit_wins_and_other_releases_name_none() -> None:
    full = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
    assert _release("Deploy 1a2b3c4d", slug={"id": "s", "commit": full}).sha == full
    rollback = _release("Rollback to v12")
    assert (rollback.sha, rollback.is_rollback) == (None, True)
    assert _release("Set FEATURE_X config vars").sha is None
    assert _release("Deploy the docs").sha is None  # not hex: not a commit
