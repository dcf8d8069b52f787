"""Building WorkItemChanged events the same way for every tracker (type mapping, ids)."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.subjects import S
from em_shared.contracts.work import WorkItemChanged

from ingest_svc.domain.model import Delivery, Emitted

_TYPES = {
    "bug": "bug",
    "defect": "bug",
    "incident": "incident",
    "story": "story",
    "feature": "story",
    "user story": "story",
    "task": "task",
    "sub-task": "task",
    "subtask": "task",
    "chore": "task",
    "epic": "epic",
    "tarea": "task",
    "error": "bug",
}
_SUBJECTS = {"created": S.WORK_CREATED, "updated": S.WORK_UPDATED, "completed": S.WORK_COMPLETED}


def item_type(raw: str | None, labels: list[str] = ()) -> str:  # type: ignore[assignment]
    lowered = {label.lower() for label in labels}
    if "incident" in lowered:
        return "incident"
    if "bug" in lowered and not raw:
        return "bug"
    return _TYPES.get((raw or "").lower(), "task")


def work_item(
    d: Delivery,
    *,
    tracker: str,
    key: str,
    title: str,
    item_type: str,
    status: str,
    action: str,
    occurred_at: datetime,
    owner: Ownership,
    **fields: object,
) -> Emitted:
    event = WorkItemChanged(
        id=deterministic_id(tracker, d.instance, key, action, status, occurred_at.isoformat()),
        occurred_at=occurred_at,
        source=f"{tracker}/{d.instance}",
        causation_id=d.id,
        tracker=tracker,
        key=key,
        title=title[:500],
        item_type=item_type,
        status=status,
        action=action,
        owner=owner,
        **fields,
    )  # type: ignore[arg-type]
    return Emitted(_SUBJECTS[action], event)
