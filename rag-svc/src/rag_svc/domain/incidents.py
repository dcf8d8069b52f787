"""A resolved incident as a searchable document, so "similar incidents" finds it later.

Built from the lifecycle event's snapshot, its details and (when incident-svc answers) the
timeline notes; the document id is derived from the incident id, so resolve-then-close or a
redelivered event rewrites the same document (and an unchanged one is a no-op).
"""

from __future__ import annotations

from typing import Any

from em_shared.contracts.incidents import IncidentChanged

from rag_svc.domain.documents import Document, normalize_tags

INDEXED_CHANGES = ("resolved", "closed")


def incident_document_id(incident_id: str) -> str:
    return f"incident:{incident_id}"


def timeline_notes(payload: Any) -> list[str]:
    """Free-text notes from a timeline-like structure (a list of entries, or a dict holding one)."""
    if isinstance(payload, dict):
        for key in ("timeline", "notes", "entries"):
            if key in payload:
                return timeline_notes(payload[key])
        return []
    notes: list[str] = []
    if isinstance(payload, list):
        for entry in payload:
            if isinstance(entry, str) and entry.strip():
                notes.append(entry.strip())
            elif isinstance(entry, dict):
                for key in ("text", "note", "message", "body", "summary"):
                    value = entry.get(key)
                    if isinstance(value, str) and value.strip():
                        notes.append(value.strip())
                        break
    return notes


def incident_document(event: IncidentChanged, extra_notes: list[str] | None = None) -> Document:
    inc = event.incident
    notes = timeline_notes(event.details) + list(extra_notes or [])
    for key in ("resolution", "root_cause", "cause"):
        value = event.details.get(key)
        if isinstance(value, str) and value.strip():
            notes.append(f"{key.replace('_', ' ').capitalize()}: {value.strip()}")
    title = f"Incident #{inc.number}: {inc.title}"
    lines = [f"# {title}", ""]
    facts = [f"Severity: {inc.severity}", f"State: {inc.state}"]
    if inc.service:
        facts.append(f"Service: {inc.service}")
    if inc.environment:
        facts.append(f"Environment: {inc.environment}")
    lines += [" · ".join(facts), ""]
    if inc.summary:
        lines += ["## Summary", "", inc.summary, ""]
    if notes:
        lines += ["## Timeline notes", "", *[f"- {n}" for n in dict.fromkeys(notes)], ""]
    return Document(
        id=incident_document_id(inc.id),
        text="\n".join(lines),
        title=title,
        kind="incident",
        service=inc.service,
        team=inc.team,
        tags=normalize_tags([inc.severity, *([inc.environment] if inc.environment else [])]),
        url=inc.url,
        source="incident",
    )
