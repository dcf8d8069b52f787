"""Database rows -> the contract types that events, RPC replies and HTTP answers carry."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from em_shared.contracts.incidents import AlertView, DeploymentLink, IncidentSnapshot, TimelineEntry

from incident_svc.domain.severity import sev_label


def incident_snapshot(
    row: asyncpg.Record, deployment_ids: Sequence[str] = (), base_url: str = ""
) -> IncidentSnapshot:
    return IncidentSnapshot(
        id=str(row["id"]),
        number=row["number"],
        title=row["title"],
        state=row["state"],
        severity=row["severity"],
        sev=sev_label(row["severity"]),
        assessed_severity=row["assessed_severity"],
        service=row["service"],
        team=row["team"],
        environment=row["environment"],
        opened_at=row["opened_at"],
        acknowledged_at=row["acknowledged_at"],
        mitigated_at=row["mitigated_at"],
        resolved_at=row["resolved_at"],
        closed_at=row["closed_at"],
        assignee=row["assignee"],
        source_links=list(row["source_links"]),
        alert_count=row["alert_count"],
        firing_alert_count=row["firing_count"],
        suspected_deployment_id=row["suspected_deployment_id"],
        linked_deployment_ids=list(deployment_ids),
        summary=row["summary"],
        group_key=row["group_key"],
        merged_into=str(row["merged_into"]) if row["merged_into"] else None,
        url=f"{base_url.rstrip('/')}/v1/incidents/{row['id']}" if base_url else None,
        updated_at=row["updated_at"],
    )


def alert_view(row: asyncpg.Record) -> AlertView:
    return AlertView(
        id=str(row["id"]),
        vendor=row["vendor"],
        external_id=row["external_id"],
        fingerprint=row["fingerprint"],
        status=row["status"],
        title=row["title"],
        severity=row["severity"],
        alert_name=row["alert_name"],
        service=row["service"],
        reported_severity=row["reported_severity"],
        url=row["url"],
        vendor_state=row["vendor_state"],
        first_seen_at=row["first_seen_at"],
        last_event_at=row["last_event_at"],
        signal_count=row["signal_count"],
        labels=dict(row["labels"] or {}),
    )


def timeline_entry(row: asyncpg.Record) -> TimelineEntry:
    return TimelineEntry(
        id=row["id"],
        at=row["at"],
        kind=row["kind"],
        actor=row["actor"],
        via=row["via"],
        data=dict(row["data"] or {}),
    )


def deployment_link(row: asyncpg.Record) -> DeploymentLink:
    return DeploymentLink(
        deployment_id=row["id"],
        relation=row["relation"],
        service=row["service"],
        environment=row["environment"],
        version=row["version"],
        sha=row["sha"],
        url=row["url"],
        finished_at=row["finished_at"],
        linked_by=row["linked_by"],
    )
