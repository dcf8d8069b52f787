"""Second batch (same day, still before incident-svc's code was read; added after the first dev run
scored every stream right): edges of the same vendor behaviour -- late and out-of-order deliveries,
events that change nothing (PagerDuty annotate/reassign, Sentry assign), titles that are edited or
rendered per group, the reopen window's edge, duplicates from two Alertmanager routes."""

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
def dd_monitor_name_rendered_per_host(s: Stream) -> None:
    """A multi-alert monitor whose name uses {{host.name}} ("Disk full on {{host.name}}"): each group's
    $ALERT_TITLE names its host, but it is one monitor of one service firing on three hosts: one
    incident (docs/incidents.md: the alert name is the Datadog monitor)."""
    svc, mon, t0 = s.svc("kafka"), s.num(89_100), T(19, 11, 0)
    for i, h in enumerate(("kafka-0", "kafka-1", "kafka-2")):
        datadog(
            s,
            "Triggered",
            t0 + i * M,
            mon,
            f"host:{h}",
            f"Disk usage above 90% on {h}",
            f"service:{svc},env:prod,host:{h}",
            alert=h,
            incident="A",
        )
    s.expect = {"A": "open"}


@stream
def pd_acknowledged_delivered_after_resolved(s: Stream) -> None:
    """PagerDuty v3 does not guarantee order: the acknowledgement arrives after the resolution. One
    incident, resolved (docs/incidents.md: an older event changes nothing)."""
    svc, inc, t0 = s.svc("cdn"), s.uid("P").upper()[:7], T(18, 3, 0)
    title = "Origin shield 502s"
    pagerduty(s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(s, "incident.resolved", t0 + 15 * M, inc, title, svc, "resolved", alert="i", incident="A")
    pagerduty(
        s, "incident.acknowledged", t0 + 2 * M, inc, title, svc, "acknowledged", alert="i", incident="A"
    )
    s.expect = {"A": "resolved"}


@stream
def pd_title_edited_mid_incident(s: Stream) -> None:
    """The responder renames the PagerDuty incident while working it; later events carry the new
    title: still one problem, one incident, resolved."""
    svc, inc, t0 = s.svc("identity"), s.uid("P").upper()[:7], T(17, 14, 0)
    old, new = "Token service slow", "Token service slow - Redis failover in progress"
    pagerduty(s, "incident.triggered", t0, inc, old, svc, "triggered", alert="i", incident="A")
    pagerduty(s, "incident.acknowledged", t0 + 3 * M, inc, old, svc, "acknowledged", alert="i", incident="A")
    pagerduty(s, "incident.annotated", t0 + 11 * M, inc, new, svc, "acknowledged", alert="i", incident="A")
    pagerduty(s, "incident.resolved", t0 + 29 * M, inc, new, svc, "resolved", alert="i", incident="A")
    s.expect = {"A": "resolved"}


@stream
def pd_annotations_after_resolve(s: Stream) -> None:
    """Reassigned and annotated while open, resolved, then a postmortem note (incident.annotated of a
    resolved incident): one incident, resolved."""
    svc, inc, t0 = s.svc("streaming"), s.uid("P").upper()[:7], T(26, 20, 0)
    title = "HLS segment errors above 3%"
    pagerduty(s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(s, "incident.reassigned", t0 + 5 * M, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(s, "incident.annotated", t0 + 9 * M, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(s, "incident.resolved", t0 + 21 * M, inc, title, svc, "resolved", alert="i", incident="A")
    pagerduty(s, "incident.annotated", t0 + 80 * M, inc, title, svc, "resolved", alert="i", incident="A")
    s.expect = {"A": "resolved"}


@stream
def pd_second_alert_while_acknowledged(s: Stream) -> None:
    """The same problem opens a second PagerDuty incident (same title and service) while the first is
    acknowledged: one incident, still acknowledged (someone is on it)."""
    svc, t0 = s.svc("fulfilment"), T(27, 6, 0)
    i1, i2 = s.uid("P").upper()[:7], s.uid("P").upper()[:7]
    title = "Pick-list generator backlog"
    pagerduty(s, "incident.triggered", t0, i1, title, svc, "triggered", alert="a", incident="A")
    pagerduty(s, "incident.acknowledged", t0 + 2 * M, i1, title, svc, "acknowledged", alert="a", incident="A")
    pagerduty(s, "incident.triggered", t0 + 9 * M, i2, title, svc, "triggered", alert="b", incident="A")
    s.expect = {"A": "acknowledged"}


@stream
def sentry_assigned_after_resolve(s: Stream) -> None:
    """Issue created, resolved, then assigned to the owner for follow-up (action assigned, issue still
    resolved): one incident, resolved."""
    svc, proj, t0 = s.svc("checkout-ui"), s.svc("checkout-ui") + "-js", T(25, 9, 0)
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_007_0), "ChunkLoadError: Loading chunk 412 failed."
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="i", incident="A")
    sentry_issue(
        s, "resolved", t0 + 30 * M, issue, title, proj, "resolved", alert="i", incident="A", first_seen=t0
    )
    sentry_issue(
        s, "assigned", t0 + 34 * M, issue, title, proj, "resolved", alert="i", incident="A", first_seen=t0
    )
    s.expect = {"A": "resolved"}


@stream
def sentry_assigned_while_open(s: Stream) -> None:
    """Issue created, then assigned (status unresolved): one incident, open."""
    svc, proj, t0 = s.svc("notify"), s.svc("notify") + "-go", T(24, 13, 30)
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_008_0), "runtime error: invalid memory address or nil pointer dereference"
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="i", incident="A")
    sentry_issue(
        s, "assigned", t0 + 6 * M, issue, title, proj, "unresolved", alert="i", incident="A", first_seen=t0
    )
    s.expect = {"A": "open"}


@stream
def am_two_routes_same_alert(s: Stream) -> None:
    """Two Alertmanager routes (`continue: true`) send the same alert to the webhook, each with its own
    receiver and grouping: one alert, one incident, resolved when it resolves."""
    svc, t0 = s.svc("dns"), T(23, 4, 0)
    lab = {"alertname": "DNSResolutionFailures", "service": svc, "team": "netops", "severity": "critical"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "a", "A")], receiver="team-netops")
    alertmanager(
        s, t0 + 31 * M / 60, [(am_alert(lab, t0), "a", "A")], group_by=("team",), receiver="all-critical"
    )
    alertmanager(s, t0 + 9 * M, [(am_alert(lab, t0, t0 + 8 * M), "a", "A")], receiver="team-netops")
    alertmanager(
        s,
        t0 + 9 * M + 2 * M / 60,
        [(am_alert(lab, t0, t0 + 8 * M), "a", "A")],
        group_by=("team",),
        receiver="all-critical",
    )
    s.expect = {"A": "resolved"}


@stream
def am_sibling_started_and_ended_between_notifications(s: Stream) -> None:
    """A sibling alert started and ended between two group notifications, so it first appears resolved
    while the group fires: still one incident, open (docs/incidents.md: such a recovery opens nothing
    and is shown on the group's open incident)."""
    svc, t0 = s.svc("sessions"), T(22, 8, 0)
    l1 = {"alertname": "RedisEvictions", "service": svc, "instance": "redis-0:9121"}
    l2 = {"alertname": "RedisEvictions", "service": svc, "instance": "redis-1:9121"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(l1, t0), "r0", "A")])
    alertmanager(
        s, t0 + 5 * M, [(am_alert(l1, t0), "r0", "A"), (am_alert(l2, t0 + 2 * M, t0 + 4 * M), "r1", "A")]
    )
    s.expect = {"A": "open"}


@stream
def am_refire_just_past_reopen_window(s: Stream) -> None:
    """Resolved, fires again 65 minutes later (past the 1 h reopen window): a new incident, and one
    re-firing 50 minutes after the next resolution reopens that one: two incidents, the second open."""
    svc, t0 = s.svc("vpn"), T(21, 0, 0)
    lab = {"alertname": "TunnelDown", "service": svc, "peer": "office-berlin"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "t", "A")])
    alertmanager(s, t0 + 10 * M, [(am_alert(lab, t0, t0 + 9 * M), "t", "A")])
    t1 = t0 + 9 * M + 65 * M
    alertmanager(s, t1 + 30 * M / 60, [(am_alert(lab, t1), "t", "B")])
    alertmanager(s, t1 + 10 * M, [(am_alert(lab, t1, t1 + 9 * M), "t", "B")])
    t2 = t1 + 9 * M + 50 * M
    alertmanager(s, t2 + 30 * M / 60, [(am_alert(lab, t2), "t", "B")])
    s.expect = {"A": "resolved", "B": "open"}


@stream
def cw_slow_flapping_for_hours(s: Stream) -> None:
    """An alarm goes ALARM for 10 minutes every 40 minutes for four hours, each re-fire within the
    reopen window of the last resolution: one incident, resolved at the end."""
    svc, t0 = s.svc("video"), T(19, 1, 0)
    catalog_ecs(s, svc)
    alarm, dims = f"{svc}-transcode-queue-high", {"ServiceName": svc, "ClusterName": "prod"}
    for k in range(6):
        start = t0 + 40 * k * M
        cloudwatch(s, start, alarm, "ALARM", "OK", alert="al", incident="A", dimensions=dims)
        cloudwatch(s, start + 10 * M, alarm, "OK", "ALARM", alert="al", incident="A", dimensions=dims)
    s.expect = {"A": "resolved"}


@stream
def cw_first_notification_ok(s: Stream) -> None:
    """A new alarm's first notification is INSUFFICIENT_DATA -> OK: nothing to open."""
    svc, t0 = s.svc("uploads"), T(20, 7, 0)
    catalog_ecs(s, svc)
    cloudwatch(
        s,
        t0,
        f"{svc}-4xx-high",
        "OK",
        "INSUFFICIENT_DATA",
        alert="al",
        incident=None,
        dimensions={"ServiceName": svc},
    )
    s.expect = {}


@stream
def dd_alert_deescalates_to_warn(s: Stream) -> None:
    """Triggered, then back under the alert threshold but over the warning one (Warn): still a
    problem, one incident, open."""
    svc, mon, t0 = s.svc("pricing"), s.num(89_200), T(18, 16, 0)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod"
    name = f"Error budget burn rate high on {svc}"
    datadog(s, "Triggered", t0, mon, scope, name, tags, alert="m", incident="A")
    datadog(s, "Warn", t0 + 14 * M, mon, scope, name, tags, alert="m", incident="A")
    s.expect = {"A": "open"}


@stream
def dd_late_renotify_after_recovery(s: Stream) -> None:
    """A renotification delivered late (retried after a 5xx) arrives after the recovery: one incident,
    resolved."""
    svc, mon, t0 = s.svc("feeds"), s.num(89_300), T(17, 22, 0)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod"
    name = f"Feed freshness above 15 min on {svc}"
    datadog(s, "Triggered", t0, mon, scope, name, tags, alert="m", incident="A")
    datadog(s, "Recovered", t0 + 70 * M, mon, scope, name, tags, alert="m", incident="A")
    datadog(s, "Renotify", t0 + 60 * M, mon, scope, name, tags, alert="m", incident="A")
    s.expect = {"A": "resolved"}


@stream
def dd_recovery_of_unseen_group_with_open_sibling(s: Stream) -> None:
    """One host group of a monitor is alerting; another host's group, whose trigger we never got,
    recovers: still one incident, open."""
    svc, mon, t0 = s.svc("cache"), s.num(89_400), T(16, 12, 0)
    name = f"Memcached evictions high on {svc}"
    datadog(s, "Triggered", t0, mon, "host:mc-1", name, f"service:{svc},host:mc-1", alert="h1", incident="A")
    datadog(
        s,
        "Recovered",
        t0 + 4 * M,
        mon,
        "host:mc-2",
        name,
        f"service:{svc},host:mc-2",
        alert="h2",
        incident="A",
    )
    s.expect = {"A": "open"}
