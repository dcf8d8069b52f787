"""Code-quality reports: coverage (Codecov) and quality gates (SonarQube)."""

from __future__ import annotations

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class QualityReported(Event, frozen=True, kw_only=True):
    """`quality.report.received`: `kind` is coverage | quality_gate."""

    tool: str
    kind: str
    project: str
    sha: str | None = None
    branch: str | None = None
    coverage_pct: float | None = None
    gate_status: str | None = None  # OK | WARN | ERROR
    issue_counts: dict[str, int] = {}
    url: str | None = None
    owner: Ownership = Ownership()
