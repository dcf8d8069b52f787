"""Work-item events from issue trackers (Jira, Linear, Shortcut)."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class WorkItemChanged(Event, frozen=True, kw_only=True):
    """`work.item.{created,updated,completed}`; `item_type` is bug | incident | story | task | epic."""

    tracker: str
    key: str
    title: str
    item_type: str
    status: str
    action: str
    assignee: str | None = None
    previous_status: str | None = None
    url: str | None = None
    labels: list[str] = []
    created_at: datetime | None = None
    completed_at: datetime | None = None
    owner: Ownership = Ownership()
