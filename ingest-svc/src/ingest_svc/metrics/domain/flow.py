"""Delivery flow (pull request cycle time split, size, first review; builds) and quality figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest_svc.metrics.domain.stats import median_p90


@dataclass(frozen=True)
class PullRequestRow:
    ref: str  # owner/repo#number
    first_commit_at: datetime | None
    created_at: datetime | None
    first_review_at: datetime | None
    merged_at: datetime
    deployed_at: datetime | None
    size: int | None


@dataclass(frozen=True)
class BuildRow:
    key: str
    status: str
    duration_s: float | None


@dataclass(frozen=True)
class QualityRow:
    project: str
    kind: str
    at: datetime
    coverage_pct: float | None
    gate_status: str | None
    issue_counts: dict[str, int]


def _span(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else max(0.0, (b - a).total_seconds())


def _dist(values: list[float], ids: list[str], limit: int, reason: str) -> dict[str, Any]:
    median, p90 = median_p90(values)
    out: dict[str, Any] = {"median_s": median, "p90_s": p90, "n": len(values), "ids": ids[:limit]}
    if median is None:
        out["reason"] = reason
    return out


def flow_figures(prs: Iterable[PullRequestRow], builds: Iterable[BuildRow], limit: int) -> dict[str, Any]:
    """Cycle time = coding (first commit -> opened) + pickup (opened -> first review) + review
    (first review, else opened -> merged) + deploy (merged -> first production deployment)."""
    parts: dict[str, tuple[list[float], list[str]]] = {
        k: ([], []) for k in ("coding", "pickup", "review", "deploy", "cycle")
    }
    sizes: list[float] = []
    size_ids: list[str] = []
    merged_ids: list[str] = []
    for pr in sorted(prs, key=lambda p: p.ref):
        merged_ids.append(pr.ref)
        spans = {
            "coding": _span(pr.first_commit_at, pr.created_at),
            "pickup": _span(pr.created_at, pr.first_review_at),
            "review": _span(pr.first_review_at or pr.created_at, pr.merged_at),
            "deploy": _span(pr.merged_at, pr.deployed_at),
            "cycle": _span(pr.first_commit_at or pr.created_at, pr.deployed_at or pr.merged_at),
        }
        for k, v in spans.items():
            if v is not None:
                parts[k][0].append(v)
                parts[k][1].append(pr.ref)
        if pr.size is not None:
            sizes.append(float(pr.size))
            size_ids.append(pr.ref)
    out: dict[str, Any] = {"pull_requests_merged": len(merged_ids), "pull_request_ids": merged_ids[:limit]}
    for k, (vals, ids) in parts.items():
        out[f"{k}_time"] = _dist(vals, ids, limit, f"no merged pull request with a known {k} span")
    out["time_to_first_review"] = out["pickup_time"]
    s_median, s_p90 = median_p90(sizes)
    out["pull_request_size"] = {"median_lines": s_median, "p90_lines": s_p90, "n": len(sizes)}
    blist = sorted(builds, key=lambda b: b.key)
    decided = [b for b in blist if b.status in ("success", "failure", "error")]
    ok = sum(1 for b in decided if b.status == "success")
    durations = [b.duration_s for b in blist if b.duration_s is not None]
    build: dict[str, Any] = {
        "total": len(blist),
        "succeeded": ok,
        "failed": len(decided) - ok,
        "success_rate": ok / len(decided) if decided else None,
        "failed_ids": [b.key for b in decided if b.status != "success"][:limit],
    }
    if not decided:
        build["reason"] = "no finished build"
    build["duration"] = _dist(
        durations, [b.key for b in blist if b.duration_s is not None], limit, "no build duration"
    )
    out["builds"] = build
    return out


def quality_figures(reports: Iterable[QualityRow]) -> dict[str, Any]:
    """Per project: coverage first/last/delta in the range, latest gate status and issue counts."""
    projects: dict[str, dict[str, Any]] = {}
    for r in sorted(reports, key=lambda q: (q.project, q.at)):
        p = projects.setdefault(r.project, {"coverage": None, "gate": None})
        if r.coverage_pct is not None:
            cov = p["coverage"] or {"first_pct": r.coverage_pct, "reports": 0}
            cov.update(
                last_pct=r.coverage_pct,
                delta_pct=r.coverage_pct - cov["first_pct"],
                reports=cov["reports"] + 1,
            )
            p["coverage"] = cov
        if r.gate_status is not None or r.issue_counts:
            p["gate"] = {
                "status": r.gate_status,
                "issue_counts": dict(r.issue_counts),
                "at": r.at.isoformat(),
            }
    covered = [p["coverage"]["last_pct"] for p in projects.values() if p["coverage"]]
    gates: dict[str, int] = {}
    issues: dict[str, int] = {}
    for p in projects.values():
        if p["gate"]:
            status = p["gate"]["status"] or "unknown"
            gates[status] = gates.get(status, 0) + 1
            for k, v in p["gate"]["issue_counts"].items():
                issues[k] = issues.get(k, 0) + v
    out: dict[str, Any] = {
        "coverage_mean_pct": sum(covered) / len(covered) if covered else None,
        "gate_status_counts": gates,
        "issue_counts": issues,
        "projects": projects,
    }
    if not covered:
        out["reason"] = "no coverage report"
    return out
