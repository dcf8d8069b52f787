"""Cross-vendor streams: one outage seen by two tools, unrelated problems at the same minute, storms
across services, and interleaved lifecycles."""

from __future__ import annotations

from datetime import timedelta

from vendors import (
    Stream,
    T,
    alertmanager,
    am_alert,
    catalog_ecs,
    catalog_sentry,
    cloudwatch,
    datadog,
    pagerduty,
    sentry_issue,
    stream,
)

M = timedelta(minutes=1)


@stream
def x_datadog_and_alertmanager_same_outage(s: Stream) -> None:
    """One service's error spike seen by a Datadog monitor and a Prometheus alert, each under its own
    name: two incidents (docs/incidents.md: different names are different problems; an on-call engineer
    might merge them by hand), both resolved."""
    svc, mon, t0 = s.svc("payments"), s.num(88_700), T(20, 13, 0)
    datadog(
        s,
        "Triggered",
        t0 + M,
        mon,
        f"service:{svc},env:prod",
        f"Error rate high on {svc}",
        f"service:{svc},env:prod",
        alert="dd",
        incident="A",
        priority="P1",
    )
    lab = {"alertname": "HighErrorRate", "service": svc, "severity": "critical"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "am", "B")])
    alertmanager(s, t0 + 21 * M, [(am_alert(lab, t0, t0 + 20 * M), "am", "B")])
    datadog(
        s,
        "Recovered",
        t0 + 23 * M,
        mon,
        f"service:{svc},env:prod",
        f"Error rate high on {svc}",
        f"service:{svc},env:prod",
        alert="dd",
        incident="A",
        priority="P1",
    )
    s.expect = {"A": "resolved", "B": "resolved"}


@stream
def x_two_services_same_minute(s: Stream) -> None:
    """Unrelated alerts of two services at the same minute from two vendors: two incidents; one
    resolves, the other stays open."""
    a, b, mon, t0 = s.svc("search"), s.svc("ledger"), s.num(88_800), T(21, 9, 30)
    la = {"alertname": "HighLatency", "service": a, "severity": "warning"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(la, t0), "am", "A")])
    datadog(
        s,
        "Triggered",
        t0 + 40 * M / 60,
        mon,
        f"service:{b},env:prod",
        "HighLatency",
        f"service:{b},env:prod",
        alert="dd",
        incident="B",
    )
    alertmanager(s, t0 + 11 * M, [(am_alert(la, t0, t0 + 10 * M), "am", "A")])
    s.expect = {"A": "resolved", "B": "open"}


@stream
def x_database_outage_storm_across_services(s: Stream) -> None:
    """A database outage makes four services fire the same alertname in one notification, plus a
    CloudWatch alarm on the database: per docs/incidents.md's grouping key (service + alert name) five
    incidents; all recover."""
    t0 = T(22, 2, 14)
    svcs = [s.svc(x) for x in ("cart", "orders", "profile", "wishlist")]
    labs = [{"alertname": "HighErrorRate", "service": x, "severity": "critical"} for x in svcs]
    alertmanager(
        s,
        t0 + M,
        [(am_alert(x, t0), f"am{i}", "ABCD"[i]) for i, x in enumerate(labs)],
        group_by=("alertname",),
    )
    db = s.svc("orders-db")
    catalog_ecs(s, db)
    cloudwatch(
        s,
        t0,
        f"{db}-cpu-credit-exhausted",
        "ALARM",
        "OK",
        alert="cw",
        incident="E",
        dimensions={"ServiceName": db},
    )
    end = t0 + 19 * M
    alertmanager(
        s,
        end,
        [(am_alert(x, t0, end - M), f"am{i}", "ABCD"[i]) for i, x in enumerate(labs)],
        group_by=("alertname",),
    )
    cloudwatch(
        s,
        end + M,
        f"{db}-cpu-credit-exhausted",
        "OK",
        "ALARM",
        alert="cw",
        incident="E",
        dimensions={"ServiceName": db},
    )
    s.expect = {"A": "resolved", "B": "resolved", "C": "resolved", "D": "resolved", "E": "resolved"}


@stream
def x_pagerduty_and_sentry_interleaved(s: Stream) -> None:
    """A Sentry issue and an unrelated PagerDuty incident of the same service interleave; each has its
    own lifecycle: two incidents, the Sentry one resolved, the PagerDuty one acknowledged."""
    svc, t0 = s.svc("accounts"), T(23, 16, 0)
    proj = svc + "-django"
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_006_0), "OperationalError: could not connect to server: Connection refused"
    inc = s.uid("P").upper()[:7]
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="se", incident="A")
    pagerduty(
        s,
        "incident.triggered",
        t0 + 2 * M,
        inc,
        "Accounts SSO provider timeouts",
        svc,
        "triggered",
        alert="pd",
        incident="B",
    )
    sentry_issue(
        s, "resolved", t0 + 9 * M, issue, title, proj, "resolved", alert="se", incident="A", first_seen=t0
    )
    pagerduty(
        s,
        "incident.acknowledged",
        t0 + 10 * M,
        inc,
        "Accounts SSO provider timeouts",
        svc,
        "acknowledged",
        alert="pd",
        incident="B",
    )
    s.expect = {"A": "resolved", "B": "acknowledged"}


@stream
def x_refire_minutes_vs_days(s: Stream) -> None:
    """Two services' alerts of one name: one re-fires 30 minutes after resolving (same incident), the
    other two days later (new incident): three incidents, the reopened one and the new one open."""
    a, b, t0 = s.svc("maps"), s.svc("geo"), T(13, 7, 0)
    la = {"alertname": "ProbeFailed", "service": a, "probe": "https"}
    lb = {"alertname": "ProbeFailed", "service": b, "probe": "https"}
    alertmanager(
        s,
        t0 + 30 * M / 60,
        [(am_alert(la, t0), "a", "A"), (am_alert(lb, t0), "b", "B")],
        group_by=("alertname",),
    )
    alertmanager(
        s,
        t0 + 8 * M,
        [(am_alert(la, t0, t0 + 7 * M), "a", "A"), (am_alert(lb, t0, t0 + 7 * M), "b", "B")],
        group_by=("alertname",),
    )
    t1 = t0 + 38 * M
    alertmanager(s, t1 + 30 * M / 60, [(am_alert(la, t1), "a", "A")], group_by=("alertname",))
    t2 = t0 + timedelta(days=2, hours=1)
    alertmanager(s, t2 + 30 * M / 60, [(am_alert(lb, t2), "b", "C")], group_by=("alertname",))
    s.expect = {"A": "open", "B": "resolved", "C": "open"}


@stream
def x_alertmanager_resolve_before_datadog_warn(s: Stream) -> None:
    """A Prometheus disk alert resolves while a Datadog warn on a different service's host fires a
    minute later: two incidents, no cross-talk."""
    a, b, mon, t0 = s.svc("logs"), s.svc("metrics"), s.num(88_900), T(24, 5, 0)
    la = {"alertname": "DiskAlmostFull", "service": a, "instance": "logs-0:9100", "severity": "warning"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(la, t0), "am", "A")])
    alertmanager(s, t0 + 16 * M, [(am_alert(la, t0, t0 + 15 * M), "am", "A")])
    datadog(
        s,
        "Warn",
        t0 + 17 * M,
        mon,
        "host:metrics-3",
        "Disk usage above 80%",
        f"service:{b},host:metrics-3",
        alert="dd",
        incident="B",
        priority="P4",
    )
    s.expect = {"A": "resolved", "B": "open"}
