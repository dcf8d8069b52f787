"""Incident lifecycle events and the `rpc.incident.*` commands and queries.

incident-svc owns incidents; notifier-svc, the metrics module and rag-svc react to these events,
and Slack buttons and agent tools act through the RPC messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from em_shared.contracts.base import Event, RpcRequest

SEVERITIES = ("critical", "high", "medium", "low")
STATES = ("triggered", "acknowledged", "mitigated", "resolved", "closed")


class IncidentSnapshot(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The incident as it stands after a change: enough for a Slack message or a DORA link."""

    id: str
    number: int
    title: str
    state: str
    severity: str
    service: str | None = None
    team: str | None = None
    environment: str | None = None
    opened_at: datetime
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    assignee: str | None = None
    source_links: list[str] = []
    alert_count: int = 0
    suspected_deployment_id: str | None = None
    linked_deployment_ids: list[str] = []
    summary: str | None = None
    url: str | None = None


class IncidentChanged(Event, frozen=True, kw_only=True):
    """`incident.incident.<change>`: opened, acknowledged, mitigated, resolved, closed, reopened,
    severity_changed, merged, updated. `sequence` orders changes of one incident."""

    change: str
    incident: IncidentSnapshot
    sequence: int
    actor: str | None = None
    via: str | None = None  # api | slack | auto | agent
    previous_state: str | None = None
    details: dict[str, Any] = {}


class IncidentRef(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.get`: by id (uuid) or by number."""

    id: str


class IncidentListQuery(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.list`."""

    state: str | None = None
    severity: str | None = None
    service: str | None = None
    team: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    cursor: str | None = None


class IncidentAction(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.acknowledge` / `resolve` / `mitigate` / `close` / `reopen`."""

    id: str
    actor: str
    via: str = "api"
    note: str | None = None


class IncidentNote(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.add_note`."""

    id: str
    actor: str
    text: str
    via: str = "api"
