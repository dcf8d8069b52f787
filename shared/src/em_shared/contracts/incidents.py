"""Incident lifecycle events and the `rpc.incident.*` commands and queries.

incident-svc owns incidents; notifier-svc, the metrics module and rag-svc react to these events,
and Slack buttons and agent tools act through the RPC messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

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
    # Added by incident-svc (issue #6): SEV1..SEV4 label of `severity`, the AI's assessed severity
    # (kept apart from the reported one), the grouping key, the survivor of a merge, firing alerts.
    sev: str | None = None
    assessed_severity: str | None = None
    group_key: str | None = None
    merged_into: str | None = None
    firing_alert_count: int = 0
    updated_at: datetime | None = None


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


# --- Commands added by incident-svc (issue #6). HTTP and NATS decode into these same types and go
# through the same handler, so validation is identical on both paths. Type errors and unknown
# fields are 400 at decode; semantic errors (unknown severity, illegal value) are 422 in the handler.

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Actor = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class IncidentCreate(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.create` and `POST /v1/incidents`: a manual incident."""

    title: Title
    actor: Actor
    severity: str = "medium"
    service: Ident | None = None
    team: Ident | None = None
    environment: Ident | None = None
    summary: Text | None = None
    assignee: Actor | None = None
    via: str = "api"


class IncidentUpdate(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.update` and `PATCH /v1/incidents/{id}`: any of state, severity, assignee, title."""

    id: str
    actor: Actor
    state: str | None = None
    severity: str | None = None
    assignee: Actor | None = None
    title: Title | None = None
    note: Text | None = None
    via: str = "api"


class IncidentMerge(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.merge` and `POST /v1/incidents/{id}/merge`: fold `source_ids` into `id`."""

    id: str
    source_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]
    actor: Actor
    note: Text | None = None
    via: str = "api"


class IncidentLinkDeployment(RpcRequest, frozen=True, kw_only=True):
    """`rpc.incident.link_deployment` and `POST /v1/incidents/{id}/link-deployment`."""

    id: str
    deployment_id: Ident
    actor: Actor
    note: Text | None = None
    via: str = "api"


class AlertView(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One deduplicated alert attached to an incident."""

    id: str
    vendor: str
    external_id: str
    fingerprint: str
    status: str
    title: str
    severity: str
    alert_name: str | None = None
    service: str | None = None
    reported_severity: str | None = None
    url: str | None = None
    vendor_state: str | None = None
    first_seen_at: datetime
    last_event_at: datetime
    signal_count: int = 1
    labels: dict[str, str] = {}


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One typed, append-only timeline entry: `kind` is alert_attached, alert_recovered,
    state_changed, severity_changed, note_added, suspected_deployment, deployment_linked, merged,
    updated, opened."""

    id: int
    at: datetime
    kind: str
    actor: str | None = None
    via: str | None = None
    data: dict[str, Any] = {}


class DeploymentLink(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A deployment linked to an incident: `suspected` (auto, same service shortly before) or `linked`."""

    deployment_id: str
    relation: str
    service: str
    environment: str | None = None
    version: str | None = None
    sha: str | None = None
    url: str | None = None
    finished_at: datetime
    linked_by: str | None = None


class IncidentDetail(msgspec.Struct, frozen=True, kw_only=True):
    """`rpc.incident.get` reply and `GET /v1/incidents/{id}`."""

    incident: IncidentSnapshot
    alerts: list[AlertView]
    timeline: list[TimelineEntry]
    deployments: list[DeploymentLink]


class IncidentPage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """`rpc.incident.list` reply and `GET /v1/incidents`: pass `next_cursor` back for the next page."""

    items: list[IncidentSnapshot]
    next_cursor: str | None = None
