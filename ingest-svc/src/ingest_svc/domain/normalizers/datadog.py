"""Datadog monitor webhooks. The body is a user template filled with Datadog's variables; docs/ingest.md
gives the one we document (Datadog's default keys plus `$ALERT_ID`, `$ALERT_CYCLE_KEY`,
`$ALERT_TRANSITION`, `$ALERT_PRIORITY`, `$ALERT_SCOPE`, `$TAGS`), but operators paste other vendors'
templates too (camelCase keys, the alert fields nested under `alert`, or Datadog's default payload
alone), so each field is read under its common spellings and, failing those, from the event title
Datadog writes as `[P1] [Triggered on {host:web-1}] <monitor name>`.
"""

from __future__ import annotations

import re
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted, NormalizationError
from ingest_svc.domain.normalizers import severity_hints
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_text, first_time, get, str_list, text, time_at

_RESOLVED = ("recovered", "success", "ok")
_TRANSITIONS = frozenset(
    {"triggered", "re-triggered", "recovered", "warn", "re-warn", "no data", "re-no data", "renotify"}
)
HANDLED = _TRANSITIONS | {"error", "info", "success", "warning"}

# Template spellings of each variable: ours/Rootly's, SIGNL4's camelCase, Komodor's nested `alert`.
_MONITOR = (("alert_id",), ("alertId",), ("monitor_id",), ("monitorId",), ("alert", "id"), ("monitor", "id"))
_TRANSITION = (("alert_transition",), ("alertTransition",), ("transition",), ("alert", "transition"))
_TYPE = (("alert_type",), ("alertType",), ("alert", "type"))
_SCOPE = (("alert_scope",), ("alertScope",), ("scope",), ("alert", "scope"))
_PRIORITY = (("alert_priority",), ("alertPriority",), ("priority",), ("alert", "priority"))
_NAME = (("alert_title",), ("alertTitle",), ("alert", "title"), ("monitor_name",), ("monitorName",))
_CYCLE = (("alert_cycle_key",), ("alertCycleKey",), ("alert", "cycleId"), ("alert", "cycle_key"))
# `[P1] [Triggered on {host:web-1,env:prod}] Disk almost full` (priority and scope optional).
_TITLE = re.compile(
    r"^\s*(?:\[(?P<priority>[Pp][0-5])\]\s*)?\[(?P<transition>[A-Za-z][A-Za-z -]*?)"
    r"(?:\s+on\s+\{(?P<scope>[^}]*)\})?\]\s*(?P<name>.*?)\s*$"
)
_MONITOR_LINK = re.compile(r"/monitors/(\d+)")
_LINKS = (("link",), ("url",), ("body",), ("message",), ("eventMsg",), ("event_msg",))
# $ALERT_PRIORITY renders P1..P5 (or nothing); $PRIORITY is the event's normal/low, not a severity.
_MONITOR_PRIORITY = re.compile(r"^[Pp]?[0-5]$")


def _title_parts(title: str | None) -> dict[str, str]:
    """Priority, transition, scope and monitor name out of a Datadog event/alert title."""
    found = _TITLE.match(title or "")
    if not found or found.group("transition").lower() not in _TRANSITIONS:
        return {"name": (title or "").strip()}
    return {k: v for k, v in found.groupdict().items() if v}


def _transition(p: Any) -> str | None:
    return first_text(p, *_TRANSITION) or _title_parts(text(p, "title")).get("transition")


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (_transition(payload) or first_text(payload, *_TYPE) or "").lower()


def _scope(p: Any) -> str:
    """The monitor group (`host:web-1,env:prod`), spaces after commas dropped: one group, one scope."""
    raw = first_text(p, *_SCOPE) or _title_parts(text(p, "title")).get("scope") or ""
    return ",".join(t.strip() for t in raw.split(",") if t.strip())


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    # The scope is in the key: groups of one monitor changing state at once are separate deliveries.
    cycle, transition = first_text(payload, *_CYCLE), _transition(payload)
    if cycle and transition:
        when = text(payload, "last_updated") or text(payload, "date")
        return f"{cycle}:{_scope(payload)}:{transition}:{when}"
    return text(payload, "id")


def _tags(raw: Any) -> dict[str, str]:
    values = str_list(raw) if isinstance(raw, list) else str(raw or "").split(",")
    out: dict[str, str] = {}
    for tag in values:
        key, _, value = tag.strip().partition(":")
        if key:
            out[key] = value
    return out


def _monitor(p: Any) -> str | None:
    """The monitor id: a template variable, else the monitor link ($LINK, or the `[Monitor Status]`
    link Datadog writes into $EVENT_MSG, all the default payload has). $EVENT_ID is per notification."""
    if monitor := first_text(p, *_MONITOR):
        return monitor
    for path in _LINKS:
        if link := _MONITOR_LINK.search(text(p, *path) or ""):
            return link.group(1)
    return None


def _monitor_name(name: str | None, scope: str) -> str | None:
    """The monitor's name as written, not as rendered for one group.

    A multi-alert monitor named `Disk almost full on {{host.name}}` notifies as `... on web-1`,
    `... on web-2`: as the alert name (incident-svc groups by service + alert name) that split one
    monitor's groups into an incident per host. Each value of the group's scope that stands as a
    whole word in the name is put back as its template variable, so every group of one monitor has
    one name; the rendered title stays the signal's title. The `service` value is left as written:
    the grouping key holds the service already, and names such as `High error rate on checkout` are
    as often literal as templated (replacing it would then split the groups of other services).
    """
    if not name or not scope:
        return name
    for tag in scope.split(","):
        key, sep, value = tag.partition(":")
        if sep and key and key != "service" and value and value != "*":
            name = re.sub(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", f"{{{{{key}.name}}}}", name)
    return name


def _severity(p: Any, tags: dict[str, str], title: dict[str, str]) -> str | None:
    """Monitor priority, else a severity/priority tag, else the title's [P1], else the alert type."""
    priority = first_text(p, *_PRIORITY)
    if priority and _MONITOR_PRIORITY.match(priority):
        return priority
    return severity_hints.in_tags(tags) or title.get("priority") or first_text(p, *_TYPE)


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    title = text(p, "title")
    from_title = _title_parts(title)
    scope = _scope(p)
    name = _title_parts(first_text(p, *_NAME)).get("name") or from_title.get("name") or None
    monitor = _monitor(p)
    ident = monitor or name
    if not ident:
        raise NormalizationError("datadog payload names no monitor (alert id, monitor link or title)")
    # A multi-alert monitor's group (`service:checkout,env:prod`) is in the scope, not always in $TAGS
    # (the monitor's own tags): the group's tags win, so `service` is the group's service.
    tags = {**_tags(get(p, "tags")), **_tags(scope)}
    status = "resolved" if d.event_type in _RESOLVED else "firing"
    occurred = first_time(time_at(p, "last_updated"), time_at(p, "date"))
    return [
        alert(
            d,
            vendor="datadog",
            external_id=f"{ident}:{scope}" if scope else ident,
            status=status,
            title=title or name or ident,
            occurred_at=occurred,
            identity=(ident, scope),
            reported_severity=_severity(p, tags, from_title),
            alert_name=_monitor_name(name, scope),
            labels=tags,
            description=first_text(p, ("body",), ("message",), ("text_only_msg",)),
            started_at=time_at(p, "date") if status == "firing" else None,
            ended_at=occurred if status == "resolved" else None,
            url=text(p, "link"),
            vendor_state=d.event_type,
            owner=catalog.owner(monitor=monitor or name, labels=tags, service=tags.get("service")),
        )
    ]
