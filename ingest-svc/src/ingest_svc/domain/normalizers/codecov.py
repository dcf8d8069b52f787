"""Codecov webhook notifier (`build_payload` of codecov/worker): coverage of the head commit."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.quality import QualityReported
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.fields import first_time, get, integer, need, number, text, time_at

HANDLED = frozenset({"coverage"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return "coverage" if isinstance(get(payload, "head"), dict) else ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    sha = text(payload, "head", "commitid")
    return (
        f"{text(payload, 'repo', 'name')}:{sha}:{text(payload, 'head', 'totals', 'coverage')}"
        if sha
        else None
    )


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    head = get(p, "head")
    sha = need(head, "commitid")
    owner_name = text(p, "owner", "username")
    repo_name = need(p, "repo", "name")
    repo = f"{owner_name}/{repo_name}" if owner_name else repo_name
    totals = get(head, "totals")
    counts = {
        k: v
        for k in ("files", "lines", "hits", "misses", "partials")
        if (v := integer(totals, k)) is not None
    }
    occurred = first_time(time_at(head, "timestamp"))
    coverage = number(totals, "coverage")
    return [
        Emitted(
            S.QUALITY_REPORTED,
            QualityReported(
                id=deterministic_id("codecov", repo, sha, coverage),
                occurred_at=occurred,
                source=f"codecov/{d.instance}",
                causation_id=d.id,
                tool="codecov",
                kind="coverage",
                project=repo,
                sha=sha,
                branch=text(head, "branch"),
                coverage_pct=coverage,
                issue_counts=counts,
                url=text(head, "url") or text(p, "compare", "url"),
                owner=catalog.owner(repository=repo, project=repo, organization=owner_name),
            ),
        )
    ]
