"""The read-only tools of this issue: their argument types (the JSON Schema the model sees), the
subject each calls, and how model-friendly arguments become the owner's request contract.
Tools with side effects (acknowledge, resolve...) are deliberately absent: they arrive with human
approval in the Temporal issue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from em_shared.contracts.incidents import IncidentListQuery, IncidentRef
from em_shared.contracts.knowledge import SearchFilters, SearchQuery
from em_shared.contracts.metrics import DoraQuery

from agent_svc.tools.registry import Tool

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]


class MetricsArgs(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Scope and window of a metrics query; no scope means the whole organisation."""

    service: Name | None = None
    team: Name | None = None
    env: Name | None = None
    days: Annotated[int, msgspec.Meta(ge=1, le=365, description="Look-back window in days.")] = 30
    bucket: Literal["day", "week", "month"] = "week"


class IncidentListArgs(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    state: Literal["open", "triggered", "acknowledged", "mitigated", "resolved", "closed"] | None = None
    severity: Literal["critical", "high", "medium", "low"] | None = None
    service: Name | None = None
    team: Name | None = None
    days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    limit: Annotated[int, msgspec.Meta(ge=1, le=20)] = 10


class IncidentGetArgs(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="Incident uuid or number.")]


class SearchArgs(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    query: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    k: Annotated[int, msgspec.Meta(ge=1, le=8)] = 4
    service: Name | None = None
    kind: Annotated[str, msgspec.Meta(max_length=40)] | None = None


def _window(days: int) -> tuple[datetime, datetime]:
    now = datetime.now(UTC).replace(microsecond=0)
    return now - timedelta(days=days), now


def _metrics(args: MetricsArgs) -> DoraQuery:
    start, end = _window(args.days)
    return DoraQuery(
        service=args.service, team=args.team, env=args.env, start=start, end=end, bucket=args.bucket
    )


def _incident_list(args: IncidentListArgs) -> IncidentListQuery:
    since, _ = _window(args.days)
    # "open" is every state before resolution; the owner filters by one state, so "open" asks for
    # all and `_open_only` keeps the unresolved ones.
    state = None if args.state == "open" else args.state
    limit = 50 if args.state == "open" else args.limit
    return IncidentListQuery(
        state=state, severity=args.severity, service=args.service, team=args.team, since=since, limit=limit
    )


OPEN_STATES = ("triggered", "acknowledged", "mitigated")


def _open_only(args: IncidentListArgs, result: Any) -> Any:
    if args.state != "open" or not isinstance(result, dict) or not isinstance(result.get("items"), list):
        return result
    items = [i for i in result["items"] if isinstance(i, dict) and i.get("state") in OPEN_STATES]
    return {**result, "items": items[: args.limit]}


def _search(args: SearchArgs) -> SearchQuery:
    return SearchQuery(
        query=args.query, k=args.k, filters=SearchFilters(service=args.service, kind=args.kind)
    )


def _items(result: Any, *keys: str) -> list[dict[str, Any]]:
    if isinstance(result, list):
        return [r for r in result if isinstance(r, dict)]
    if isinstance(result, dict):
        for key in keys:
            if isinstance(result.get(key), list):
                return [r for r in result[key] if isinstance(r, dict)]
    return []


def _cite_incidents(result: Any) -> list[dict[str, Any]]:
    # rpc.incident.list answers an IncidentPage (items), rpc.incident.get an IncidentDetail (incident).
    if isinstance(result, dict) and isinstance(result.get("incident"), dict):
        result = result["incident"]
    found = _items(result, "items", "incidents", "results") or ([result] if isinstance(result, dict) else [])
    return [
        {"ref": str(i.get("id") or i.get("number")), "title": i.get("title"), "url": i.get("url")}
        for i in found
        if i.get("id") or i.get("number")
    ]


def _cite_hits(result: Any) -> list[dict[str, Any]]:
    return [
        {"ref": str(h.get("chunk_id") or h.get("document_id")), "title": h.get("title"), "url": h.get("url")}
        for h in _items(result, "results", "hits")
    ]


def _cite_metrics(subject: str) -> Any:
    def cite(result: Any) -> list[dict[str, Any]]:
        return [{"ref": subject, "title": "metrics figures"}] if result else []

    return cite


READ_TOOLS: tuple[Tool, ...] = (
    Tool(
        "metrics_dora",
        "DORA figures (deployment frequency, lead time for changes, change failure rate, "
        "time to restore) for a service, team or the organisation over a window, with per-bucket drill-down.",
        MetricsArgs,
        "rpc.metrics.dora",
        _metrics,
        _cite_metrics("rpc.metrics.dora"),
    ),
    Tool(
        "metrics_flow",
        "Delivery-flow figures: pull request cycle time, review time, throughput, work in "
        "progress, for a service, team or the organisation.",
        MetricsArgs,
        "rpc.metrics.flow",
        _metrics,
        _cite_metrics("rpc.metrics.flow"),
    ),
    Tool(
        "metrics_quality",
        "Quality figures: test coverage, quality-gate results, build success and "
        "flakiness, for a service, team or the organisation.",
        MetricsArgs,
        "rpc.metrics.quality",
        _metrics,
        _cite_metrics("rpc.metrics.quality"),
    ),
    Tool(
        "incident_list",
        "Incidents by state, severity, service, team and window (newest first).",
        IncidentListArgs,
        "rpc.incident.list",
        _incident_list,
        _cite_incidents,
        _open_only,
    ),
    Tool(
        "incident_get",
        "One incident with its timeline, alerts and linked deployments, by uuid or number.",
        IncidentGetArgs,
        "rpc.incident.get",
        lambda a: IncidentRef(id=a.id),
        _cite_incidents,
    ),
    Tool(
        "knowledge_search",
        "Search runbooks, past incidents, post-mortems and engineering docs.",
        SearchArgs,
        "rpc.rag.search",
        _search,
        _cite_hits,
    ),
)
