"""Datadog webhook integration payloads. The body is whatever template the operator wrote, filled with
Datadog's variables (docs.datadoghq.com/integrations/webhooks, "Variables"). The templates here are
published ones: ours (docs/ingest.md), Datadog's default payload, and the ones vendors tell their
users to paste (iLert, SIGNL4, Komodor, Rootly), so keys, nesting and what is present all vary.

Severity: `$ALERT_PRIORITY` (P1..P5, empty when the monitor has none); otherwise a `severity:`/
`priority:` monitor tag, the `[P1]` prefix Datadog puts on `$EVENT_TITLE`, or `$ALERT_TYPE`
(error, warning, info; success on recovery). `$PRIORITY` is the *event* priority (normal/low), not
a severity. Identity: monitor (`$ALERT_ID`) + group (`$ALERT_SCOPE`, also in the title as
`[Triggered on {host:web-1}]`); `$ID`, `$DATE`, `$LAST_UPDATED`, `$ALERT_CYCLE_KEY`, `$ALERT_STATUS`
change per notification.
"""

from __future__ import annotations

import zlib
from typing import Any

from .model import Case, Expect, Relation

H = {"Content-Type": "application/json"}
MONITOR, NAME = "4711", "Disk almost full"
_n = [7084620893441890000]


def _event_id() -> str:
    _n[0] += 1
    return str(_n[0])


def _title(transition: str, scope: str, priority: str = "", name: str = NAME) -> str:
    on = f" on {{{scope}}}" if scope else ""
    prefix = f"[{priority}] " if priority else ""
    return f"{prefix}[{transition}{on}] {name}"


def flat(
    *,
    priority: str | None = "P2",
    alert_type: str = "error",
    transition: str = "Triggered",
    scope: str = "host:web-1",
    tags: str = "host:web-1,service:checkout,env:prod,team:storage",
    monitor: str = MONITOR,
    name: str = NAME,
    cycle: str | None = None,
    date: str = "1718035200000",
    status_text: str = "avg:system.disk.in_use{host:web-1} over host:web-1 was > 0.9 (0.93)",
) -> dict[str, Any]:
    """Our documented template (docs/ingest.md), the same keys as Rootly's."""
    # $ALERT_CYCLE_KEY links one monitor group's events from trigger to recovery.
    cycle = cycle or str(7019573547164500000 + zlib.crc32(f"{monitor}/{scope}".encode()))
    body: dict[str, Any] = {
        "id": _event_id(),
        "title": _title(transition, scope, priority or "", name),
        "body": f"%%%\n{status_text}\n%%%",
        "event_type": "metric_alert_monitor",
        "date": date,
        "last_updated": date,
        "org": {"id": "11111", "name": "Acme"},
        "alert_id": monitor,
        "alert_cycle_key": cycle,
        "alert_transition": transition,
        "alert_type": alert_type,
        "alert_title": name,
        "alert_scope": scope,
        "alert_status": status_text,
        "tags": tags,
        "link": f"https://app.datadoghq.com/monitors/{monitor}",
    }
    if priority is not None:
        body["alert_priority"] = priority
    return body


def signl4(priority: str, scope: str = "host:web-1", transition: str = "Triggered") -> dict[str, Any]:
    """SIGNL4's published Datadog template (camelCase keys, no alert type, no tags)."""
    return {
        "title": _title(transition, scope, priority),
        "message": "Disk usage above 90%",
        "link": f"https://app.datadoghq.com/monitors/{MONITOR}",
        "priority": priority,
        "host": scope.split(":", 1)[-1],
        "alertScope": scope,
        "alertStatus": f"avg:system.disk.in_use over {scope} was > 0.9 (0.95)",
        "alertId": MONITOR,
        "alertTransition": transition,
        "X-S4-SourceSystem": "Datadog",
        "date": "1718035200000",
        "org": {"id": "11111", "name": "Acme"},
        "id": _event_id(),
    }


def komodor(alert_type: str, scope: str = "host:web-1", transition: str = "Triggered") -> dict[str, Any]:
    """Komodor's published template: the alert fields nested under `alert`, `$PRIORITY` (normal)."""
    return {
        "body": "%%%\nDisk usage above 90%\n%%%",
        "last_updated": "1718035200000",
        "event_type": "metric_alert_monitor",
        "title": _title(transition, scope),
        "date": "1718035200000",
        "org": {"id": "11111", "name": "Acme"},
        "id": _event_id(),
        "tags": f"{scope},service:checkout,env:prod",
        "alert": {
            "id": MONITOR,
            "type": alert_type,
            "transition": transition,
            "cycleId": "7019573547164543432",
            "priority": "normal",
            "status": f"avg:system.disk.in_use over {scope} was > 0.9 (0.91)",
            "scope": scope,
            "query": "avg(last_5m):avg:system.disk.in_use{*} by {host} > 0.9",
            "metric": "system.disk.in_use",
        },
        "aggregation_key": "9bd4ac313a4d1e8fae2482df7b77628",
        "link": f"https://app.datadoghq.com/monitors/{MONITOR}",
    }


def ilert(title: str, transition: str = "Triggered") -> dict[str, Any]:
    """iLert's published template: Datadog's default keys plus alert_transition, alert_id and link."""
    return {
        "body": "%%%\nDisk usage above 90%\n%%%",
        "last_updated": "1718035200000",
        "event_type": "metric_alert_monitor",
        "alert_transition": transition,
        "alert_id": MONITOR,
        "link": f"https://app.datadoghq.com/monitors/{MONITOR}",
        "title": title,
        "date": "1718035200000",
        "org": {"id": "11111", "name": "Acme"},
        "id": _event_id(),
    }


def default(title: str, date: str = "1718035200000") -> dict[str, Any]:
    """Datadog's default payload, unchanged: no monitor id, no transition, only the event title."""
    return {
        "body": "%%%\nDisk usage above 90%\n%%%",
        "last_updated": date,
        "event_type": "metric_alert_monitor",
        "title": title,
        "date": date,
        "org": {"id": "11111", "name": "Acme"},
        "id": _event_id(),
    }


def cases() -> tuple[list[Case], list[Relation]]:
    out: list[Case] = []
    ext = f"{MONITOR}:host:web-1"
    for p, level in [
        ("P1", "critical"),
        ("P2", "high"),
        ("P3", "medium"),
        ("P4", "low"),
        ("P5", "low"),
        ("p1", "critical"),
        ("1", "critical"),
        ("3", "medium"),
    ]:
        out.append(
            Case(
                f"dd.priority.{p}",
                "datadog",
                flat(priority=p),
                Expect(level, ext, NAME, "checkout", "firing"),
                H,
            )
        )
    out += [
        Case(
            "dd.priority.wins_over_warn",
            "datadog",
            flat(priority="P1", alert_type="warning", transition="Warn"),
            Expect("critical", ext, status="firing"),
            H,
        ),
        Case(
            "dd.type.error",
            "datadog",
            flat(priority="", alert_type="error"),
            Expect("high", ext),
            H,
            note="monitor without a priority: $ALERT_PRIORITY renders empty",
        ),
        Case(
            "dd.type.warning",
            "datadog",
            flat(priority="", alert_type="warning", transition="Warn"),
            Expect("medium", ext),
            H,
        ),
        Case("dd.type.info", "datadog", flat(priority=None, alert_type="info"), Expect("low", ext), H),
        Case(
            "dd.type.no_priority_key",
            "datadog",
            flat(priority=None, alert_type="error"),
            Expect("high", ext),
            H,
        ),
        Case(
            "dd.tag.severity_critical",
            "datadog",
            flat(priority="", tags="host:web-1,service:checkout,severity:critical"),
            Expect("critical", ext),
            H,
        ),
        Case(
            "dd.tag.priority_p1",
            "datadog",
            flat(priority=None, alert_type="warning", tags="host:web-1,service:checkout,priority:p1"),
            Expect("critical", ext),
            H,
        ),
        Case(
            "dd.tag.severity_low_upper",
            "datadog",
            flat(priority="", tags="host:web-1,service:checkout,severity:Low"),
            Expect("low", ext),
            H,
        ),
        Case(
            "dd.tag.sev_numeral",
            "datadog",
            flat(priority="", alert_type="warning", tags="host:web-1,service:checkout,sev:1"),
            Expect("critical", ext),
            H,
        ),
    ]
    title_p = flat(priority=None, alert_type="warning")
    title_p["title"] = _title("Triggered", "host:web-1", "P2")
    out.append(
        Case(
            "dd.title.priority_prefix",
            "datadog",
            title_p,
            Expect("high", ext),
            H,
            note="no $ALERT_PRIORITY key; Datadog's event title carries [P2]",
        )
    )

    # Identity and grouping over one monitor's life.
    recovered = flat(
        transition="Recovered",
        alert_type="success",
        date="1718036100000",
        status_text="avg:system.disk.in_use{host:web-1} over host:web-1 was <= 0.9 (0.71)",
    )
    new_cycle = flat(
        cycle="7019573547164549999",
        date="1718042400000",
        status_text="avg:system.disk.in_use{host:web-1} over host:web-1 was > 0.9 (0.97)",
    )
    prefixed = flat()
    prefixed["alert_title"] = _title("Triggered", "host:web-1")
    out += [
        Case("dd.id.base", "datadog", flat(), Expect("high", ext, NAME, "checkout", "firing"), H),
        Case("dd.id.recovered", "datadog", recovered, Expect(external_id=ext, status="resolved"), H),
        Case("dd.id.new_cycle", "datadog", new_cycle, Expect(external_id=ext), H),
        Case(
            "dd.id.re_triggered",
            "datadog",
            flat(transition="Re-Triggered"),
            Expect(external_id=ext, status="firing"),
            H,
        ),
        Case(
            "dd.id.no_data",
            "datadog",
            flat(transition="No Data", alert_type="error"),
            Expect(external_id=ext, status="firing"),
            H,
        ),
        Case(
            "dd.id.other_host",
            "datadog",
            flat(scope="host:web-2", tags="host:web-2,service:checkout,env:prod"),
            Expect(external_id=f"{MONITOR}:host:web-2", alert_name=NAME, service="checkout"),
            H,
        ),
        Case(
            "dd.id.other_monitor",
            "datadog",
            flat(monitor="4712", name="Disk inodes almost exhausted"),
            Expect(external_id="4712:host:web-1", alert_name="Disk inodes almost exhausted"),
            H,
        ),
        Case(
            "dd.id.scope_a",
            "datadog",
            flat(scope="env:prod,host:web-3", tags="env:prod,host:web-3,service:checkout"),
            Expect(),
            H,
        ),
        Case(
            "dd.id.scope_a_spaced",
            "datadog",
            flat(scope="env:prod, host:web-3", tags="env:prod, host:web-3, service:checkout"),
            Expect(),
            H,
        ),
        Case(
            "dd.id.title_prefixed",
            "datadog",
            prefixed,
            Expect(external_id=ext, alert_name=NAME),
            H,
            note="$ALERT_TITLE rendered with its [Triggered on ...] prefix",
        ),
        Case(
            "dd.id.service_scope_checkout",
            "datadog",
            flat(scope="service:checkout", tags="service:checkout,env:prod", name="Error rate above 5%"),
            Expect(alert_name="Error rate above 5%", service="checkout"),
            H,
        ),
        Case(
            "dd.id.service_scope_cart",
            "datadog",
            flat(scope="service:cart", tags="service:cart,env:prod", name="Error rate above 5%"),
            Expect(alert_name="Error rate above 5%", service="cart"),
            H,
        ),
    ]
    # Templates vendors publish.
    out += [
        Case("dd.signl4.p3", "datadog", signl4("P3"), Expect("medium", ext, NAME, status="firing"), H),
        Case(
            "dd.signl4.p1_other_host",
            "datadog",
            signl4("P1", "host:web-2"),
            Expect("critical", f"{MONITOR}:host:web-2", NAME),
            H,
        ),
        Case(
            "dd.signl4.recovered",
            "datadog",
            signl4("P3", transition="Recovered"),
            Expect(external_id=ext, status="resolved"),
            H,
        ),
        Case(
            "dd.komodor.error",
            "datadog",
            komodor("error"),
            Expect("high", ext, NAME, "checkout", "firing"),
            H,
            note="$PRIORITY 'normal' is the event priority, not a severity",
        ),
        Case(
            "dd.komodor.warning", "datadog", komodor("warning", transition="Warn"), Expect("medium", ext), H
        ),
        Case(
            "dd.komodor.other_host",
            "datadog",
            komodor("error", "host:web-2"),
            Expect(external_id=f"{MONITOR}:host:web-2"),
            H,
        ),
        Case(
            "dd.ilert.p1",
            "datadog",
            ilert(_title("Triggered", "host:web-1", "P1")),
            Expect("critical", ext, NAME, status="firing"),
            H,
        ),
        Case(
            "dd.ilert.recovered",
            "datadog",
            ilert(_title("Recovered", "host:web-1", "P1"), "Recovered"),
            Expect(external_id=ext, status="resolved"),
            H,
        ),
        Case(
            "dd.ilert.other_host",
            "datadog",
            ilert(_title("Triggered", "host:web-2", "P1")),
            Expect(external_id=f"{MONITOR}:host:web-2"),
            H,
        ),
        Case(
            "dd.default.triggered",
            "datadog",
            default(_title("Triggered", "host:web-1")),
            Expect("medium", alert_name=NAME, status="firing"),
            H,
            note="nothing says a severity: the vendor default",
        ),
        Case(
            "dd.default.recovered",
            "datadog",
            default(_title("Recovered", "host:web-1"), "1718036100000"),
            Expect(alert_name=NAME, status="resolved"),
            H,
        ),
        Case(
            "dd.default.renotify",
            "datadog",
            default(_title("Triggered", "host:web-1"), "1718039700000"),
            Expect(alert_name=NAME),
            H,
        ),
        Case(
            "dd.default.other_host",
            "datadog",
            default(_title("Triggered", "host:web-2")),
            Expect(alert_name=NAME),
            H,
        ),
        Case(
            "dd.default.p1",
            "datadog",
            default(_title("Triggered", "host:web-1", "P1")),
            Expect("critical", alert_name=NAME),
            H,
        ),
    ]
    rel = [
        Relation("dd.rel.recovery_same", "dd.id.base", "dd.id.recovered", True, True),
        Relation("dd.rel.new_cycle_same", "dd.id.base", "dd.id.new_cycle", True, True),
        Relation("dd.rel.re_triggered_same", "dd.id.base", "dd.id.re_triggered", True, True),
        Relation("dd.rel.no_data_same", "dd.id.base", "dd.id.no_data", True, True),
        Relation(
            "dd.rel.other_host",
            "dd.id.base",
            "dd.id.other_host",
            False,
            True,
            "one monitor, two host groups of one service: two alerts, one incident",
        ),
        Relation("dd.rel.other_monitor", "dd.id.base", "dd.id.other_monitor", False, False),
        Relation("dd.rel.scope_spacing", "dd.id.scope_a", "dd.id.scope_a_spaced", True, True),
        Relation("dd.rel.title_prefix", "dd.id.base", "dd.id.title_prefixed", True, True),
        Relation(
            "dd.rel.service_groups", "dd.id.service_scope_checkout", "dd.id.service_scope_cart", False, False
        ),
        Relation("dd.rel.signl4_host", "dd.signl4.p3", "dd.signl4.p1_other_host", False, None),
        Relation("dd.rel.signl4_recovery", "dd.signl4.p3", "dd.signl4.recovered", True, True),
        Relation("dd.rel.komodor_host", "dd.komodor.error", "dd.komodor.other_host", False, True),
        Relation("dd.rel.komodor_warn", "dd.komodor.error", "dd.komodor.warning", True, True),
        Relation("dd.rel.ilert_recovery", "dd.ilert.p1", "dd.ilert.recovered", True, True),
        Relation("dd.rel.ilert_host", "dd.ilert.p1", "dd.ilert.other_host", False, None),
        Relation("dd.rel.default_recovery", "dd.default.triggered", "dd.default.recovered", True, True),
        Relation("dd.rel.default_renotify", "dd.default.triggered", "dd.default.renotify", True, True),
        Relation("dd.rel.default_host", "dd.default.triggered", "dd.default.other_host", False, None),
    ]
    return out, rel
