"""SonarQube analysis webhooks: quality-gate status and the status of each gate condition."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.quality import QualityReported
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.fields import first_time, items, need, number, text, time_at

HANDLED = frozenset({"analysis"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return "analysis" if text(payload, "taskId") or text(payload, "analysedAt") else ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return text(payload, "taskId")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    project = need(p, "project", "key")
    occurred = first_time(time_at(p, "analysedAt"))
    conditions = items(p, "qualityGate", "conditions")
    counts: dict[str, int] = {}
    coverage = None
    for c in conditions:
        st = (text(c, "status") or "unknown").lower()
        counts[f"conditions_{st}"] = counts.get(f"conditions_{st}", 0) + 1
        if text(c, "metric") in ("coverage", "new_coverage") and coverage is None:
            coverage = number(c, "value")
    sha = text(p, "revision")
    return [
        Emitted(
            S.QUALITY_REPORTED,
            QualityReported(
                id=deterministic_id("sonarqube", project, text(p, "taskId") or occurred.isoformat()),
                occurred_at=occurred,
                source=f"sonarqube/{d.instance}",
                causation_id=d.id,
                tool="sonarqube",
                kind="quality_gate",
                project=project,
                sha=sha,
                branch=text(p, "branch", "name"),
                coverage_pct=coverage,
                gate_status=text(p, "qualityGate", "status"),
                issue_counts=counts,
                url=text(p, "project", "url") or text(p, "branch", "url") or text(p, "serverUrl"),
                owner=catalog.owner(project=project, repository=None),
            ),
        )
    ]
