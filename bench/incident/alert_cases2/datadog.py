"""Datadog webhook integration (docs.datadoghq.com/integrations/webhooks, "Variables"): the body is
the operator's template filled with `$ALERT_ID`, `$ALERT_TITLE`, `$ALERT_TRANSITION`, `$ALERT_TYPE`,
`$ALERT_PRIORITY` (P1..P5, empty without one), `$ALERT_SCOPE`, `$TAGS`, `$EVENT_TITLE`, `$LINK`...
under whatever keys the operator chose. Identity is monitor id + group scope; `$ID`/`$DATE` change per
notification. Severity: the monitor priority, else a severity/priority tag, else the alert type."""

from __future__ import annotations

import zlib
from typing import Any

from alert_cases.model import NO_SERVICE, Case, Expect, Relation

H = {"Content-Type": "application/json"}
_n = [9100000000000000000]


def _id() -> str:
    _n[0] += 1
    return str(_n[0])


def _title(transition: str, scope: str, priority: str, name: str) -> str:
    on = f" on {{{scope}}}" if scope else ""
    return f"{f'[{priority}] ' if priority else ''}[{transition}{on}] {name}"


def snake(
    monitor: str,
    name: str,
    *,
    transition: str = "Triggered",
    alert_type: str = "error",
    priority: str = "",
    scope: str = "host:api-7",
    tags: str = "service:payments,env:prod",
    date: str = "1718100000000",
) -> dict[str, Any]:
    """A snake_case template like the one docs/ingest.md documents (keys an operator would pick)."""
    return {
        "id": _id(),
        "title": _title(transition, scope, priority, name),
        "body": "%%%\nvalue crossed threshold\n%%%",
        "event_type": "query_alert_monitor",
        "date": date,
        "last_updated": date,
        "org": {"id": "22222", "name": "Acme"},
        "alert_id": monitor,
        "alert_cycle_key": f"{monitor}{zlib.crc32(scope.encode()) % 1000}",
        "alert_transition": transition,
        "alert_type": alert_type,
        "alert_priority": priority,
        "alert_title": name,
        "alert_scope": scope,
        "tags": tags,
        "link": f"https://app.datadoghq.eu/monitors/{monitor}",
    }


def camel(
    monitor: str,
    name: str,
    *,
    transition: str = "Triggered",
    alert_type: str = "error",
    priority: str = "",
    scope: str = "host:api-7",
    tags: str = "service:payments,env:prod",
    date: str = "1718100000000",
) -> dict[str, Any]:
    """camelCase keys as in incident-tool integration guides (alertId, alertTransition, ...)."""
    return {
        "eventId": _id(),
        "eventTitle": _title(transition, scope, priority, name),
        "eventMsg": "value crossed threshold",
        "eventType": "query_alert_monitor",
        "date": date,
        "alertId": monitor,
        "alertTransition": transition,
        "alertType": alert_type,
        "alertPriority": priority,
        "alertTitle": name,
        "alertScope": scope,
        "tags": tags,
        "link": f"https://app.datadoghq.com/monitors/{monitor}?from_ts=1718099000000",
    }


def nested(
    monitor: str,
    name: str,
    *,
    transition: str = "Triggered",
    alert_type: str = "error",
    priority: str = "",
    scope: str = "host:api-7",
    tags: str = "service:payments,env:prod",
    date: str = "1718100000000",
) -> dict[str, Any]:
    """Variables grouped under an `alert` object, the way some routing templates nest them."""
    return {
        "id": _id(),
        "title": _title(transition, scope, priority, name),
        "date": date,
        "alert": {
            "id": monitor,
            "title": name,
            "transition": transition,
            "type": alert_type,
            "priority": priority,
            "scope": scope,
        },
        "tags": tags,
        "url": f"https://app.datadoghq.com/monitors/{monitor}",
    }


def default_only(
    monitor: str, name: str, *, transition: str = "Triggered", priority: str = "", scope: str = "host:api-7"
) -> dict[str, Any]:
    """Datadog's default payload: only $EVENT_MSG, $EVENT_TITLE, $ID, $DATE... (no monitor variables);
    the monitor link is in the event message."""
    return {
        "body": f"%%%\nvalue crossed threshold\n\n[[Monitor Status](https://app.datadoghq.com/monitors/{monitor})]\n%%%",
        "last_updated": "1718100000000",
        "event_type": "query_alert_monitor",
        "title": _title(transition, scope, priority, name),
        "date": "1718100000000",
        "org": {"id": "22222", "name": "Acme"},
        "id": _id(),
    }


def cases() -> tuple[list[Case], list[Relation]]:
    m, n = "880011", "Payments 5xx rate high"
    ext = f"{m}:host:api-7"
    c = [
        Case(
            "dd2.snake.p1",
            "datadog",
            snake(m, n, priority="P1"),
            Expect("critical", ext, n, "payments", "firing"),
            H,
        ),
        Case(
            "dd2.snake.recovered",
            "datadog",
            snake(m, n, priority="P1", transition="Recovered", alert_type="success", date="1718100600000"),
            Expect(None, ext, n, "payments", "resolved"),
            H,
        ),
        Case(
            "dd2.snake.warn_noprio",
            "datadog",
            snake(m, n, transition="Warn", alert_type="warning"),
            Expect("medium", ext, n, "payments", "firing"),
            H,
        ),
        Case(
            "dd2.snake.tag_sev_critical",
            "datadog",
            snake("880012", "Ledger write errors", tags="service:ledger,severity:critical,env:prod"),
            Expect("critical", "880012:host:api-7", "Ledger write errors", "ledger", "firing"),
            H,
        ),
        Case(
            "dd2.snake.tag_priority_p4",
            "datadog",
            snake("880013", "Cache hit ratio low", alert_type="warning", tags="service:cache,priority:p4"),
            Expect("low", "880013:host:api-7", service="cache", status="firing"),
            H,
        ),
        Case(
            "dd2.snake.multi_scope",
            "datadog",
            snake(
                "880014",
                "Pod restarts",
                priority="P2",
                scope="kube_namespace:shop, pod_name:cart-5d9",
                tags="service:cart,env:prod",
            ),
            Expect("high", "880014:kube_namespace:shop,pod_name:cart-5d9", "Pod restarts", "cart", "firing"),
            H,
        ),
        Case(
            "dd2.snake.nodata",
            "datadog",
            snake(
                "880015",
                "Heartbeat missing",
                transition="No Data",
                alert_type="error",
                priority="P3",
                tags="service:heartbeat",
            ),
            Expect("medium", "880015:host:api-7", status="firing"),
            H,
        ),
        Case(
            "dd2.snake.retriggered",
            "datadog",
            snake(m, n, priority="P1", transition="Re-Triggered", date="1718101200000"),
            Expect("critical", ext, n, "payments", "firing"),
            H,
        ),
        Case(
            "dd2.camel.p2",
            "datadog",
            camel(m, n, priority="P2", scope="host:api-8"),
            Expect("high", f"{m}:host:api-8", n, "payments", "firing"),
            H,
        ),
        Case(
            "dd2.camel.recovered",
            "datadog",
            camel(
                m,
                n,
                priority="P2",
                scope="host:api-8",
                transition="Recovered",
                alert_type="success",
                date="1718100900000",
            ),
            Expect(None, f"{m}:host:api-8", n, "payments", "resolved"),
            H,
        ),
        Case(
            "dd2.nested.p3",
            "datadog",
            nested("880016", "Search latency", priority="P3", tags="service:search,team:discovery"),
            Expect("medium", "880016:host:api-7", "Search latency", "search", "firing"),
            H,
        ),
        Case(
            "dd2.nested.renotify",
            "datadog",
            nested(
                "880016",
                "Search latency",
                priority="P3",
                transition="Renotify",
                tags="service:search,team:discovery",
                date="1718103600000",
            ),
            Expect("medium", "880016:host:api-7", "Search latency", "search", "firing"),
            H,
        ),
        Case(
            "dd2.default.p1",
            "datadog",
            default_only("880017", "Checkout down", priority="P1"),
            Expect("critical", "880017:host:api-7", "Checkout down", status="firing"),
            H,
            note="default payload: everything from the title and the monitor link in the message",
        ),
        Case(
            "dd2.snake.info_type",
            "datadog",
            snake("880018", "Deploy marker", alert_type="info", tags="service:payments", scope=""),
            Expect("low", None, "Deploy marker", "payments", "firing"),
            H,
        ),
        Case(
            "dd2.snake.notags",
            "datadog",
            snake("880019", "Orphan check", priority="P2", tags=""),
            Expect("high", "880019:host:api-7", "Orphan check", NO_SERVICE, "firing"),
            H,
        ),
    ]
    r = [
        Relation("dd2.r.trig_rec", "dd2.snake.p1", "dd2.snake.recovered", True, True),
        Relation("dd2.r.trig_retrig", "dd2.snake.p1", "dd2.snake.retriggered", True, True),
        Relation(
            "dd2.r.other_host",
            "dd2.snake.p1",
            "dd2.camel.p2",
            False,
            True,
            note="one monitor, two groups: two alerts, one service+monitor group",
        ),
        Relation("dd2.r.camel_trig_rec", "dd2.camel.p2", "dd2.camel.recovered", True, True),
        Relation("dd2.r.nested_renotify", "dd2.nested.p3", "dd2.nested.renotify", True, True),
        Relation("dd2.r.diff_monitors", "dd2.snake.p1", "dd2.snake.tag_sev_critical", False, False),
    ]
    return c, r
