"""Jira webhooks: jira:issue_created / jira:issue_updated; a move into the Done category completes it."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.fields import first_time, get, items, need, str_list, text, time_at
from ingest_svc.domain.normalizers.workitems import item_type, work_item

HANDLED = frozenset({"jira:issue_created", "jira:issue_updated"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return text(payload, "webhookEvent") or ""


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return headers.get("x-atlassian-webhook-identifier")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    issue = get(p, "issue")
    key = need(issue, "key")
    f = get(issue, "fields")
    status = text(f, "status", "name") or "unknown"
    done = text(f, "status", "statusCategory", "key") == "done"
    status_change = next((i for i in items(p, "changelog", "items") if text(i, "field") == "status"), None)
    if d.event_type == "jira:issue_created":
        action, occurred = "created", first_time(time_at(f, "created"), time_at(f, "updated"))
    else:
        action = "completed" if done and status_change is not None else "updated"
        occurred = first_time(time_at(f, "updated"), time_at(p, "timestamp"))
    labels = str_list(items(f, "labels"))
    project = text(f, "project", "key")
    self_url = text(issue, "self") or ""
    base = self_url.split("/rest/api/")[0] if "/rest/api/" in self_url else None
    return [
        work_item(
            d,
            tracker="jira",
            key=key,
            title=text(f, "summary") or key,
            item_type=item_type(text(f, "issuetype", "name"), labels),
            status=status,
            action=action,
            occurred_at=occurred,
            owner=catalog.owner(project=project),
            assignee=text(f, "assignee", "displayName"),
            previous_status=text(status_change, "fromString"),
            url=f"{base}/browse/{key}" if base else None,
            labels=labels,
            created_at=time_at(f, "created"),
            completed_at=(time_at(f, "resolutiondate") or occurred) if action == "completed" else None,
        )
    ]
