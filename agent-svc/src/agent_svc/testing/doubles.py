"""Test doubles of the services agent-svc calls, for tests and the benchmark: small NATS responders
that play ingest-svc's metrics module, incident-svc and rag-svc over the real
bus with realistic data, recording every request they get; and helpers to run agent-svc."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from em_shared.contracts.incidents import IncidentAction, IncidentListQuery, IncidentRef
from em_shared.contracts.knowledge import SearchQuery
from em_shared.contracts.metrics import DoraQuery
from em_shared.messaging.broker import create_broker, start_broker
from em_shared.messaging.errors import NotFound
from em_shared.messaging.rpc import serve_rpc
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service

from agent_svc.app import create_service
from agent_svc.settings import AgentSettings

KEYS = "chat-key:chat,admin-key:chat+admin,other-key:chat"
CHAT = {"Authorization": "Bearer chat-key"}
ADMIN = {"Authorization": "Bearer admin-key"}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

INCIDENTS = [
    {
        "id": "6f1c2a9e-0000-4000-8000-000000000042",
        "number": 42,
        "title": "Payment authorisations failing (5xx)",
        "state": "triggered",
        "severity": "critical",
        "service": "payments-api",
        "team": "payments",
        "environment": "production",
        "opened_at": (NOW - timedelta(hours=2)).isoformat(),
        "alert_count": 7,
    },
    {
        "id": "6f1c2a9e-0000-4000-8000-000000000041",
        "number": 41,
        "title": "Checkout latency p95 above 2s",
        "state": "acknowledged",
        "severity": "high",
        "service": "checkout-svc",
        "team": "checkout",
        "environment": "production",
        "opened_at": (NOW - timedelta(days=1)).isoformat(),
        "alert_count": 3,
    },
    {
        "id": "6f1c2a9e-0000-4000-8000-000000000040",
        "number": 40,
        "title": "Search index lagging",
        "state": "resolved",
        "severity": "medium",
        "service": "search-indexer",
        "team": "search",
        "environment": "production",
        "opened_at": (NOW - timedelta(days=6)).isoformat(),
        "alert_count": 2,
    },
    {
        "id": "6f1c2a9e-0000-4000-8000-000000000039",
        "number": 39,
        "title": "Refund worker crash loop",
        "state": "resolved",
        "severity": "high",
        "service": "refund-worker",
        "team": "payments",
        "environment": "production",
        "opened_at": (NOW - timedelta(days=12)).isoformat(),
        "alert_count": 4,
    },
]
RUNBOOKS = [
    {
        "document_id": "rb-payments-5xx",
        "chunk_id": "rb-payments-5xx#2",
        "heading_path": ["Payments", "5xx spikes"],
        "text": "Check the PSP status page, then fail over to the secondary acquirer with `payctl failover`.",
        "score": 0.031,
        "title": "Runbook: payments 5xx",
        "kind": "runbook",
        "url": "https://wiki.example/rb/pay-5xx",
    },
    {
        "document_id": "pm-2025-11-checkout",
        "chunk_id": "pm-2025-11-checkout#1",
        "heading_path": ["Post-mortem"],
        "text": "Root cause: connection pool exhaustion after a config change; fixed by raising pool size.",
        "score": 0.027,
        "title": "Post-mortem: checkout outage Nov 2025",
        "kind": "postmortem",
        "url": None,
    },
]


def _figure(seed: str, low: float, high: float) -> float:
    h = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return round(low + (high - low) * h, 2)


def dora_figures(q: DoraQuery) -> dict[str, Any]:
    scope = q.service or q.team or "org"
    return {
        "scope": {"service": q.service, "team": q.team, "env": q.env, "bucket": q.bucket},
        "window": {
            "from": q.start.isoformat() if q.start else None,
            "to": q.end.isoformat() if q.end else None,
        },
        "deployment_frequency_per_day": _figure(scope + "df", 0.5, 6.0),
        "lead_time_hours_p50": _figure(scope + "lt", 2.0, 40.0),
        "change_failure_rate": _figure(scope + "cfr", 0.02, 0.25),
        "time_to_restore_hours_p50": _figure(scope + "mttr", 0.3, 6.0),
        "buckets": [
            {
                "start": (NOW - timedelta(weeks=i)).date().isoformat(),
                "deployments": int(_figure(f"{scope}{i}", 3, 40)),
            }
            for i in range(4)
        ],
    }


class ServiceDoubles:
    """The other services, as NATS responders. `calls[subject]` lists decoded requests in order."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = {}
        self.overrides: dict[str, Any] = {}  # subject -> result to return instead of the realistic one

    def record(self, subject: str, request: msgspec.Struct) -> None:
        self.calls.setdefault(subject, []).append(msgspec.to_builtins(request))

    def count(self, subject: str) -> int:
        return len(self.calls.get(subject, []))


@contextlib.asynccontextmanager
async def run_doubles(
    servers: Any, topology: Any, serve: tuple[str, ...] | None = None
) -> AsyncIterator[ServiceDoubles]:
    doubles = ServiceDoubles()
    broker = create_broker(servers.nats_url, "doubles")

    def metrics(subject: str) -> Any:
        async def handle(q: DoraQuery) -> Any:
            doubles.record(subject, q)
            return doubles.overrides.get(subject) or dora_figures(q)

        return handle

    async def incident_list(q: IncidentListQuery) -> Any:
        doubles.record("rpc.incident.list", q)
        if "rpc.incident.list" in doubles.overrides:
            return doubles.overrides["rpc.incident.list"]
        items = [
            i
            for i in INCIDENTS
            if (not q.team or i["team"] == q.team)
            and (not q.service or i["service"] == q.service)
            and (not q.state or i["state"] == q.state)
            and (not q.severity or i["severity"] == q.severity)
        ]
        return {"items": items[: q.limit], "next_cursor": None}

    async def incident_get(q: IncidentRef) -> Any:
        doubles.record("rpc.incident.get", q)
        for i in INCIDENTS:
            if q.id in (i["id"], str(i["number"])):
                return {
                    "incident": i,
                    "alerts": [],
                    "timeline": [{"id": 1, "at": i["opened_at"], "kind": "opened", "actor": "alertmanager"}],
                    "deployments": [],
                }
        raise NotFound(f"no incident {q.id}")

    async def search(q: SearchQuery) -> Any:
        doubles.record("rpc.rag.search", q)
        return doubles.overrides.get("rpc.rag.search") or {"results": RUNBOOKS[: q.k]}

    handlers: dict[str, tuple[type, Any]] = {
        "rpc.metrics.dora": (DoraQuery, metrics("rpc.metrics.dora")),
        "rpc.metrics.flow": (DoraQuery, metrics("rpc.metrics.flow")),
        "rpc.metrics.quality": (DoraQuery, metrics("rpc.metrics.quality")),
        "rpc.incident.list": (IncidentListQuery, incident_list),
        "rpc.incident.get": (IncidentRef, incident_get),
        "rpc.rag.search": (SearchQuery, search),
    }
    # Write commands exist on the bus too; agent tools must never reach them (recorded to prove it).
    for verb in ("acknowledge", "mitigate", "resolve", "close", "reopen"):

        def writer(subject: str) -> Any:
            async def handle(q: IncidentAction) -> Any:
                doubles.record(subject, q)
                return {"ok": True}

            return handle

        handlers[f"rpc.incident.{verb}"] = (IncidentAction, writer(f"rpc.incident.{verb}"))
    for subject, (request_type, handler) in handlers.items():
        if serve is None or subject in serve:
            serve_rpc(broker, topology, "doubles", subject, request_type, handler, max_workers=64)
    await start_broker(broker)
    try:
        yield doubles
    finally:
        await broker.stop()


def agent_settings(servers: Any, namespace: str, **overrides: Any) -> AgentSettings:
    base: dict[str, Any] = {
        "api_keys": KEYS,
        "llm_chain": "offline",
        "llm_backoff_s": 0.01,
        "agent_timeout_s": 10.0,
    }
    base.update(overrides)
    return load_settings(
        AgentSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        **base,
    )


@contextlib.asynccontextmanager
async def run_agent(servers: Any, namespace: str, **overrides: Any) -> AsyncIterator[Any]:
    settings = agent_settings(servers, namespace, **overrides)
    async with live_service(create_service(settings), settings) as svc:
        yield svc


def parse_sse(text: str) -> list[tuple[str, Any]]:
    import json

    events = []
    for frame in text.split("\n\n"):
        name, data = "message", None
        for line in frame.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if data is not None:
            events.append((name, data))
    return events
