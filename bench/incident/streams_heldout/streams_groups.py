"""Third batch (same day, still before incident-svc's code was read; added after the second dev run):
grouping under pressure -- a new alert of a resolved group, two vendors under one grouping key, a
storm larger than one consumer batch, warning and critical rules of one alert, renamed monitors,
PagerDuty merges."""

from __future__ import annotations

from datetime import timedelta

from vendors import Stream, T, alertmanager, am_alert, datadog, pagerduty, stream

M = timedelta(minutes=1)


@stream
def am_new_instance_after_group_resolved(s: Stream) -> None:
    """The group's only alert resolves; 20 minutes later another instance fires the same alertname:
    the same problem back, one incident, reopened (docs/incidents.md: re-fire within the window)."""
    svc, t0 = s.svc("thumbnails"), T(26, 2, 0)
    l1 = {"alertname": "WorkerOOMKilled", "service": svc, "pod": f"{svc}-5f7-a"}
    l2 = {"alertname": "WorkerOOMKilled", "service": svc, "pod": f"{svc}-5f7-b"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(l1, t0), "a", "A")])
    alertmanager(s, t0 + 6 * M, [(am_alert(l1, t0, t0 + 5 * M), "a", "A")])
    t1 = t0 + 25 * M
    alertmanager(s, t1 + 30 * M / 60, [(am_alert(l2, t1), "b", "A")])
    s.expect = {"A": "open"}


@stream
def x_same_alert_name_two_vendors_one_service(s: Stream) -> None:
    """A Datadog monitor and a Prometheus rule both named HighErrorRate fire for one service: one
    grouping key (service + name, docs/incidents.md), one incident; the Prometheus alert resolves
    first, so the incident stays open until Datadog recovers, then resolves."""
    svc, mon, t0 = s.svc("bookings"), s.num(89_500), T(25, 15, 0)
    lab = {"alertname": "HighErrorRate", "service": svc, "severity": "critical"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "am", "A")])
    datadog(
        s,
        "Triggered",
        t0 + 2 * M,
        mon,
        f"service:{svc},env:prod",
        "HighErrorRate",
        f"service:{svc},env:prod",
        alert="dd",
        incident="A",
    )
    alertmanager(s, t0 + 11 * M, [(am_alert(lab, t0, t0 + 10 * M), "am", "A")])
    datadog(
        s,
        "Recovered",
        t0 + 16 * M,
        mon,
        f"service:{svc},env:prod",
        "HighErrorRate",
        f"service:{svc},env:prod",
        alert="dd",
        incident="A",
    )
    s.expect = {"A": "resolved"}


@stream
def am_storm_larger_than_a_batch(s: Stream) -> None:
    """One notification carries 80 alerts of one service (a node pool lost: every pod's readiness
    probe fails), then all resolve: one incident, resolved."""
    svc, t0 = s.svc("search-api"), T(23, 18, 0)
    labs = [
        {"alertname": "KubePodNotReady", "service": svc, "namespace": "prod", "pod": f"{svc}-84c9-{i:03d}"}
        for i in range(80)
    ]
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(x, t0), f"p{i}", "A") for i, x in enumerate(labs)])
    end = t0 + 12 * M
    alertmanager(s, end, [(am_alert(x, t0, end - M), f"p{i}", "A") for i, x in enumerate(labs)])
    s.expect = {"A": "resolved"}


@stream
def am_warning_and_critical_rules(s: Stream) -> None:
    """The usual pair of rules, HighErrorRate severity=warning and severity=critical (two label sets,
    two alerts): warning fires, critical joins, both resolve: one incident, resolved."""
    svc, t0 = s.svc("quotes"), T(22, 10, 0)
    lw = {"alertname": "HighErrorRate", "service": svc, "severity": "warning"}
    lc = {"alertname": "HighErrorRate", "service": svc, "severity": "critical"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lw, t0), "w", "A")])
    alertmanager(s, t0 + 5 * M, [(am_alert(lw, t0), "w", "A"), (am_alert(lc, t0 + 3 * M), "c", "A")])
    alertmanager(
        s,
        t0 + 20 * M,
        [(am_alert(lw, t0, t0 + 19 * M), "w", "A"), (am_alert(lc, t0 + 3 * M, t0 + 17 * M), "c", "A")],
    )
    s.expect = {"A": "resolved"}


@stream
def dd_monitor_renamed_while_alerting(s: Stream) -> None:
    """Someone renames the monitor while it alerts; the renotification and the recovery carry the new
    $ALERT_TITLE: one monitor group, one incident, resolved."""
    svc, mon, t0 = s.svc("loyalty"), s.num(89_600), T(21, 7, 0)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod"
    old, new = f"Slow queries on {svc}", f"[{svc}] p95 query time above 500ms"
    datadog(s, "Triggered", t0, mon, scope, old, tags, alert="m", incident="A")
    datadog(s, "Renotify", t0 + 60 * M, mon, scope, new, tags, alert="m", incident="A")
    datadog(s, "Recovered", t0 + 75 * M, mon, scope, new, tags, alert="m", incident="A")
    s.expect = {"A": "resolved"}


@stream
def dd_multi_alert_by_service(s: Stream) -> None:
    """A monitor grouped by service fires for two services (the group's service tag names each):
    two incidents; one recovers."""
    a, b, mon, t0 = s.svc("invoices"), s.svc("receipts"), s.num(89_700), T(20, 5, 0)
    name = "Lambda throttles above 1%"
    datadog(
        s, "Triggered", t0, mon, f"service:{a}", name, f"team:finance,service:{a}", alert="a", incident="A"
    )
    datadog(
        s,
        "Triggered",
        t0 + 30 * M / 60,
        mon,
        f"service:{b}",
        name,
        f"team:finance,service:{b}",
        alert="b",
        incident="B",
    )
    datadog(
        s,
        "Recovered",
        t0 + 9 * M,
        mon,
        f"service:{a}",
        name,
        f"team:finance,service:{a}",
        alert="a",
        incident="A",
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def pd_merged_into_parent(s: Stream) -> None:
    """Two PagerDuty incidents of one outage with different titles; the responder merges the second
    into the first (PagerDuty resolves the merged one): two incidents here, the merged one resolved,
    the parent open (merging is the responder's call, docs/incidents.md names no automatic merge)."""
    svc, t0 = s.svc("checkout-web"), T(19, 21, 0)
    i1, i2 = s.uid("P").upper()[:7], s.uid("P").upper()[:7]
    pagerduty(
        s, "incident.triggered", t0, i1, "Checkout page errors", svc, "triggered", alert="a", incident="A"
    )
    pagerduty(
        s,
        "incident.triggered",
        t0 + 2 * M,
        i2,
        "Payment widget fails to load",
        svc,
        "triggered",
        alert="b",
        incident="B",
    )
    pagerduty(
        s,
        "incident.acknowledged",
        t0 + 4 * M,
        i1,
        "Checkout page errors",
        svc,
        "acknowledged",
        alert="a",
        incident="A",
    )
    pagerduty(
        s,
        "incident.resolved",
        t0 + 6 * M,
        i2,
        "Payment widget fails to load",
        svc,
        "resolved",
        alert="b",
        incident="B",
    )
    s.expect = {"A": "acknowledged", "B": "resolved"}
