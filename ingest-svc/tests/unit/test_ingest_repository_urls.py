"""Argo CD and Jenkins name the repository by its clone URL, in whatever form the tool was set up with.
Only https GitHub URLs used to be read, so an SSH URL (the usual form for private repositories) or a
GitLab/Bitbucket one left the deployment without a repository: no commits, no lead time."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from em_shared.contracts.deployments import DeploymentChanged
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.normalizers.heuristics import repository_of_url
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("https://github.com/acme/checkout.git", "acme/checkout"),
        ("https://github.com/acme/checkout", "acme/checkout"),
        ("https://github.com/acme/checkout/", "acme/checkout"),
        ("git@github.com:acme/checkout.git", "acme/checkout"),
        ("ssh://git@github.com/acme/checkout.git", "acme/checkout"),
        ("https://gitlab.com/platform/payments/ledger.git", "platform/payments/ledger"),
        ("git@gitlab.example.com:platform/payments/ledger.git", "platform/payments/ledger"),
        ("https://bitbucket.org/acme/storefront.git", "acme/storefront"),
        ("https://user@bitbucket.org/acme/storefront.git", "acme/storefront"),
        (" https://github.com/acme/checkout.git ", "acme/checkout"),
        ("", None),
        (None, None),
        ("checkout", None),
        ("https://github.com/", None),
        ("/srv/git/checkout.git", None),
    ],
)
def test_repository_of_every_clone_url_form(url: str | None, repository: str | None) -> None:
    assert repository_of_url(url) == repository


def test_an_argocd_application_cloned_over_ssh_has_its_repository() -> None:
    body = copy.deepcopy(json.loads(sample_named("argocd/sync.succeeded.json").body))
    body["repo_url"] = "git@github.com:acme/checkout.git"
    argocd = SOURCES["argocd"]
    delivery = Delivery("d-1", "argocd", "default", argocd.event_type({}, body), body, datetime.now(UTC), {})
    [deployment] = [
        e.event for e in argocd.normalize(delivery, Catalog()) if isinstance(e.event, DeploymentChanged)
    ]
    assert deployment.repository == "acme/checkout"


def test_a_circleci_gitlab_project_with_an_opaque_slug_is_named_by_its_repository_url() -> None:
    body = copy.deepcopy(json.loads(sample_named("circleci/workflow-completed.github_oauth.json").body))
    body["project"].update(slug="circleci/8d3c2a1e-org/5b7e9f30-project", name="ledger")
    body["pipeline"]["vcs"].update(
        provider_name="gitlab",
        origin_repository_url="https://gitlab.com/platform/payments/ledger",
        target_repository_url="https://gitlab.com/platform/payments/ledger",
    )
    circleci = SOURCES["circleci"]
    delivery = Delivery("d-1", "circleci", "default", "workflow-completed", body, datetime.now(UTC), {})
    builds = [e.event for e in circleci.normalize(delivery, Catalog())]
    assert builds and all(b.repository == "platform/payments/ledger" for b in builds)
