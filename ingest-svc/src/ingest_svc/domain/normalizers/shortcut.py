"""Shortcut (ex-Clubhouse) v1 webhooks: story actions; a move into a `done` workflow state completes it."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.fields import first_time, get, items, need, text, time_at
from ingest_svc.domain.normalizers.workitems import item_type, work_item

HANDLED = frozenset({"story.create", "story.update"})


def _story_action(payload: Any) -> Any:
    return next((a for a in items(payload, "actions") if text(a, "entity_type") == "story"), None)


def event_type(headers: dict[str, str], payload: Any) -> str:
    action = _story_action(payload)
    return f"story.{text(action, 'action')}" if action is not None else ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return text(payload, "id")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    refs = {text(r, "id"): r for r in items(p, "references") if text(r, "entity_type") == "workflow-state"}
    projects = {
        text(r, "id"): text(r, "name") for r in items(p, "references") if text(r, "entity_type") == "project"
    }
    occurred = first_time(time_at(p, "changed_at"))
    out = []
    for a in items(p, "actions"):
        if text(a, "entity_type") != "story" or text(a, "action") not in ("create", "update"):
            continue
        ident = need(a, "id")
        new_state = text(a, "changes", "workflow_state_id", "new") or text(a, "workflow_state_id")
        old_state = text(a, "changes", "workflow_state_id", "old")
        state_ref = refs.get(new_state)
        done = text(state_ref, "type") == "done"
        if text(a, "action") == "create":
            action = "created"
        else:
            action = "completed" if done and get(a, "changes", "workflow_state_id") is not None else "updated"
        out.append(
            work_item(
                d,
                tracker="shortcut",
                key=f"sc-{ident}",
                title=text(a, "name") or f"sc-{ident}",
                item_type=item_type(text(a, "story_type")),
                status=text(state_ref, "name") or new_state or "unknown",
                action=action,
                occurred_at=occurred,
                owner=catalog.owner(project=projects.get(text(a, "project_id"))),
                previous_status=text(refs.get(old_state), "name") if old_state else None,
                url=text(a, "app_url"),
                created_at=occurred if action == "created" else None,
                completed_at=occurred if action == "completed" else None,
            )
        )
    return out
