"""Sentry integration platform: `issue` (created/resolved/...) and `event_alert` / `metric_alert` hooks."""

from __future__ import annotations

import re
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_text, first_time, get, items, need, text, time_at

HANDLED = frozenset({"issue", "event_alert", "metric_alert", "installation"})
_PROJECT_IN_URL = re.compile(r"/projects/[^/]+/([^/]+)/")


# event_type and dedup_key read only headers: the accept path validates the body without building it.
HEADER_KEYED = True


def event_type(headers: dict[str, str], payload: Any) -> str:
    return headers.get("sentry-hook-resource", "")


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return headers.get("request-id")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    action = text(p, "action") or ""
    if d.event_type == "issue":
        issue = get(p, "data", "issue")
        ext = need(issue, "id")
        if action not in ("created", "resolved", "unresolved", "ignored", "archived"):
            return []
        status = "resolved" if action in ("resolved", "ignored", "archived") else "firing"
        project = text(issue, "project", "slug")
        # Sentry sends no transition time; lastSeen is the vendor's latest time for the issue.
        occurred = first_time(time_at(issue, "lastSeen"), time_at(issue, "firstSeen"))
        return [
            alert(
                d,
                vendor="sentry",
                external_id=ext,
                status=status,
                title=text(issue, "title") or ext,
                occurred_at=occurred,
                # Sentry's issue priority (high/medium/low, since 2024) is its triage severity and
                # users change it by hand; the level is the raw log level of the events.
                reported_severity=first_text(issue, ("priority",), ("level",)),
                # The issue's title names the problem (one error), as an alertname does; a constant
                # would group every issue of a project into one incident.
                alert_name=text(issue, "title") or ext,
                labels={
                    k: v
                    for k, v in {
                        "project": project,
                        "platform": text(issue, "platform"),
                        "short_id": text(issue, "shortId"),
                    }.items()
                    if v
                },
                description=text(issue, "culprit"),
                started_at=time_at(issue, "firstSeen"),
                ended_at=occurred if status == "resolved" else None,
                url=text(issue, "permalink") or text(issue, "web_url"),
                vendor_state=action,
                owner=catalog.owner(project=project, monitor=project),
            )
        ]
    if d.event_type == "event_alert":
        ev = get(p, "data", "event")
        ext = need(ev, "issue_id")
        tags = {str(t[0]): str(t[1]) for t in items(ev, "tags") if isinstance(t, list) and len(t) == 2}
        occurred = first_time(time_at(ev, "datetime"), time_at(ev, "timestamp"))
        rule = text(p, "data", "triggered_rule")
        # data.event.project is the numeric id; the slug (what the issue hooks and the catalog use) is in
        # the event's API url. The same slug keeps both hooks of one issue on one grouping key.
        slug = _PROJECT_IN_URL.search(text(ev, "url") or "")
        project = slug.group(1) if slug else text(ev, "project")
        return [
            alert(
                d,
                vendor="sentry",
                external_id=ext,
                status="firing",
                title=text(ev, "title") or ext,
                occurred_at=occurred,
                reported_severity=text(ev, "level") or tags.get("level"),
                # Same problem name as the issue webhooks for this issue id (its title): the rule that
                # fired names a notification policy, not a problem, so it goes in the labels.
                alert_name=text(ev, "title") or ext,
                labels={**tags, "sentry_rule": rule} if rule else tags,
                description=text(ev, "culprit"),
                started_at=occurred,
                url=text(ev, "web_url"),
                owner=catalog.owner(project=project, monitor=project, labels=tags),
            )
        ]
    if d.event_type == "metric_alert":
        inc = get(p, "data", "metric_alert")
        ext = need(inc, "id")
        status = "resolved" if action == "resolved" else "firing"
        occurred = first_time(
            time_at(inc, "date_closed") if status == "resolved" else None,
            time_at(inc, "date_detected"),
            time_at(inc, "date_started"),
        )
        return [
            alert(
                d,
                vendor="sentry",
                external_id=f"metric-{ext}",
                status=status,
                title=text(inc, "title") or text(p, "data", "description_title") or ext,
                occurred_at=occurred,
                reported_severity=action,
                alert_name=text(inc, "alert_rule", "name"),
                started_at=time_at(inc, "date_started"),
                ended_at=occurred if status == "resolved" else None,
                url=text(p, "data", "web_url"),
                vendor_state=action,
                owner=catalog.owner(monitor=text(inc, "alert_rule", "name")),
            )
        ]
    return []
