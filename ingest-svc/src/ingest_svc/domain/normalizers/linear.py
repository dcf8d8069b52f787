"""Linear data-change webhooks for issues (create/update); a completed state completes the item."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.fields import first_time, get, integer, items, need, text, time_at
from ingest_svc.domain.normalizers.workitems import item_type, work_item

HANDLED = frozenset({"Issue.create", "Issue.update"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return f"{text(payload, 'type') or headers.get('linear-event', '')}.{text(payload, 'action') or ''}"


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    if delivery := headers.get("linear-delivery"):
        return delivery
    stamp, ident = text(payload, "webhookTimestamp"), text(payload, "data", "id")
    return f"{ident}:{text(payload, 'action')}:{stamp}" if stamp and ident else None


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    data = get(p, "data")
    team = text(data, "team", "key")
    number_ = integer(data, "number")
    key = text(data, "identifier") or (
        f"{team}-{number_}" if team and number_ is not None else need(data, "id")
    )
    state_type = text(data, "state", "type")
    labels = [n for n in (text(x, "name") for x in items(data, "labels")) if n]
    if d.event_type == "Issue.create":
        action, occurred = "created", first_time(time_at(data, "createdAt"), time_at(p, "createdAt"))
    else:
        moved = "stateId" in (get(p, "updatedFrom") or {})
        action = "completed" if state_type in ("completed", "canceled") and moved else "updated"
        occurred = first_time(time_at(data, "updatedAt"), time_at(p, "createdAt"))
    return [
        work_item(
            d,
            tracker="linear",
            key=key,
            title=text(data, "title") or key,
            item_type=item_type(None, labels),
            status=text(data, "state", "name") or "unknown",
            action=action,
            occurred_at=occurred,
            owner=catalog.owner(project=team),
            assignee=text(data, "assignee", "name"),
            url=text(p, "url"),
            labels=labels,
            created_at=time_at(data, "createdAt"),
            completed_at=(time_at(data, "completedAt") or occurred) if action == "completed" else None,
        )
    ]
