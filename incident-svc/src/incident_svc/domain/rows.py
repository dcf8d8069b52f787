"""The alert and incident rows one signal writes: pure, so every consumer derives the same values
(the incident id from the grouping key and the opening signal, so a racer computes the same one)."""

from __future__ import annotations

from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id

from incident_svc.domain import lifecycle
from incident_svc.domain.signals import AlertFacts


def incident_row(signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
    """A new incident opened by this signal."""
    return {
        "id": deterministic_id("incident", facts.group_key, signal.id),
        "title": signal.title[:300] or facts.alert_name or facts.external_id,
        "state": lifecycle.TRIGGERED,
        "severity": facts.severity,
        "service": facts.service,
        "team": facts.team,
        "environment": facts.environment,
        "group_key": facts.group_key,
        "summary": signal.description,
        "opened_at": signal.occurred_at,
        "created_by": facts.vendor,
    }


def alert_row(alert_id: str, signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
    """The alert as this signal describes it: identity columns plus `alert_changes`."""
    return {
        "id": alert_id,
        "vendor": facts.vendor,
        "external_id": facts.external_id,
        "fingerprint": facts.fingerprint,
        "first_seen_at": signal.occurred_at,
        **alert_changes(signal, facts),
    }


def alert_changes(signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
    """What a newer signal overwrites on an existing alert."""
    return {
        "status": facts.status,
        "title": signal.title or facts.alert_name or facts.external_id,
        "alert_name": facts.alert_name,
        "service": facts.service,
        "environment": facts.environment,
        "severity": facts.severity,
        "reported_severity": signal.reported_severity,
        "group_key": facts.group_key,
        "labels": dict(signal.labels),
        "url": signal.url,
        "vendor_state": signal.vendor_state,
        "started_at": signal.started_at,
        "ended_at": signal.ended_at,
        "last_event_at": signal.occurred_at,
    }
