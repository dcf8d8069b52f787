"""Alertmanager v4 streams: groups re-sent at group_interval and repeat_interval with changing
membership, resolved alerts inside a firing group, re-fires, storms and out-of-order deliveries.

Alertmanager sends a group's whole current state each time (prometheus.io, "Configuration":
group_wait 30 s, group_interval 5 m, repeat_interval 4 h by default); with send_resolved a resolved
alert appears once more, as resolved, and is then dropped from the group.
"""

from __future__ import annotations

from datetime import timedelta

from vendors import Stream, T, alertmanager, am_alert, stream

M = timedelta(minutes=1)


@stream
def am_group_membership_changes(s: Stream) -> None:
    """A group grows at group_interval, resolves alert by alert: one incident, resolved at the end."""
    svc = s.svc("checkout")
    t0 = T(20, 9, 12)
    lab = [
        {"alertname": "HighErrorRate", "service": svc, "instance": f"web-{i}:9100", "severity": "critical"}
        for i in (1, 2, 3)
    ]
    a = [am_alert(x, t0 + i * M) for i, x in enumerate(lab)]
    alertmanager(s, t0 + 30 * M / 60, [(a[0], "w1", "A"), (a[1], "w2", "A")])
    alertmanager(s, t0 + 5 * M, [(a[0], "w1", "A"), (a[1], "w2", "A"), (a[2], "w3", "A")])
    alertmanager(
        s,
        t0 + 10 * M,
        [(am_alert(lab[0], t0, t0 + 9 * M), "w1", "A"), (a[1], "w2", "A"), (a[2], "w3", "A")],
    )
    alertmanager(
        s,
        t0 + 15 * M,
        [
            (am_alert(lab[1], t0 + M, t0 + 14 * M), "w2", "A"),
            (am_alert(lab[2], t0 + 2 * M, t0 + 13 * M), "w3", "A"),
        ],
    )
    s.expect = {"A": "resolved"}


@stream
def am_repeat_interval_resends(s: Stream) -> None:
    """An unchanged firing group re-sent every repeat_interval (4 h): one incident, still open."""
    svc = s.svc("ledger")
    t0 = T(21, 2, 0)
    lab = {
        "alertname": "ReplicaLagHigh",
        "service": svc,
        "instance": "pg-replica-2:9187",
        "severity": "warning",
    }
    for k in range(3):
        alertmanager(s, t0 + timedelta(hours=4 * k, seconds=30), [(am_alert(lab, t0), "lag", "A")])
    s.expect = {"A": "open"}


@stream
def am_partial_resolve_stays_open(s: Stream) -> None:
    """One of two alerts of a group resolves: the incident stays open while the other fires."""
    svc = s.svc("search")
    t0 = T(22, 14, 3)
    l1 = {"alertname": "KubePodNotReady", "service": svc, "pod": f"{svc}-7d9f-x1", "namespace": "prod"}
    l2 = {"alertname": "KubePodNotReady", "service": svc, "pod": f"{svc}-7d9f-x2", "namespace": "prod"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(l1, t0), "p1", "A"), (am_alert(l2, t0), "p2", "A")])
    alertmanager(s, t0 + 5 * M, [(am_alert(l1, t0, t0 + 4 * M), "p1", "A"), (am_alert(l2, t0), "p2", "A")])
    s.expect = {"A": "open"}


@stream
def am_refire_minutes_later(s: Stream) -> None:
    """Resolved, fires again 15 minutes later (inside the 1 h reopen window): the same incident, open.
    docs/incidents.md: a re-fire within INCIDENT_REOPEN_WINDOW_S of resolution reopens it."""
    svc = s.svc("cart")
    t0 = T(23, 8, 40)
    lab = {"alertname": "HighLatencyP99", "service": svc, "route": "/api/cart", "severity": "warning"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "lat", "A")])
    alertmanager(s, t0 + 12 * M, [(am_alert(lab, t0, t0 + 11 * M), "lat", "A")])
    t1 = t0 + 26 * M
    alertmanager(s, t1 + 30 * M / 60, [(am_alert(lab, t1), "lat", "A")])
    s.expect = {"A": "open"}


@stream
def am_refire_days_later(s: Stream) -> None:
    """The same alert fires again three days after it resolved: a new incident (the old stays resolved)."""
    svc = s.svc("payments")
    t0 = T(17, 3, 5)
    lab = {"alertname": "CertificateExpiringSoon", "service": svc, "host": "api.payments.example.com"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "cert", "A")])
    alertmanager(s, t0 + 40 * M, [(am_alert(lab, t0, t0 + 38 * M), "cert", "A")])
    t1 = t0 + timedelta(days=3, hours=2)
    alertmanager(s, t1 + 30 * M / 60, [(am_alert(lab, t1), "cert", "B")])
    alertmanager(s, t1 + 25 * M, [(am_alert(lab, t1, t1 + 20 * M), "cert", "B")])
    s.expect = {"A": "resolved", "B": "resolved"}


@stream
def am_storm_across_pods(s: Stream) -> None:
    """A bad rollout crash-loops 15 pods of one service, notified in three group_interval waves, then
    all recover: one incident, resolved."""
    svc = s.svc("orders")
    t0 = T(24, 16, 20)
    labs = [
        {
            "alertname": "KubePodCrashLooping",
            "service": svc,
            "namespace": "prod",
            "pod": f"{svc}-6c8b5-{i:02d}",
            "container": "app",
            "severity": "critical",
        }
        for i in range(15)
    ]
    waves = [labs[:4], labs[:11], labs]
    for w, group in enumerate(waves):
        alertmanager(
            s,
            t0 + (30 * M / 60) + 5 * w * M,
            [(am_alert(x, t0 + w * M), f"pod{i}", "A") for i, x in enumerate(group)],
        )
    end = t0 + 25 * M
    alertmanager(s, end, [(am_alert(x, t0, end - M), f"pod{i}", "A") for i, x in enumerate(labs)])
    s.expect = {"A": "resolved"}


@stream
def am_two_alertnames_one_service(s: Stream) -> None:
    """Latency and error-rate alerts of one service at the same minute, in two groups: two incidents.
    docs/incidents.md: the grouping key is service + alert name; a different name is a different problem
    (an on-call engineer might call this one outage)."""
    svc = s.svc("profile")
    t0 = T(25, 11, 0)
    l1 = {"alertname": "HighLatency", "service": svc, "severity": "warning"}
    l2 = {"alertname": "HighErrorRate", "service": svc, "severity": "critical"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(l1, t0), "lat", "A")])
    alertmanager(s, t0 + 31 * M / 60, [(am_alert(l2, t0), "err", "B")])
    alertmanager(s, t0 + 20 * M, [(am_alert(l2, t0, t0 + 18 * M), "err", "B")])
    s.expect = {"A": "open", "B": "resolved"}


@stream
def am_group_by_alertname_two_services(s: Stream) -> None:
    """Alertmanager grouped by alertname only: one notification holds the alert of two services,
    unrelated: two incidents (grouping key includes the service)."""
    a, b = s.svc("inventory"), s.svc("notifications")
    t0 = T(26, 7, 45)
    la = {"alertname": "TargetDown", "service": a, "job": a, "instance": "10.0.3.4:8080"}
    lb = {"alertname": "TargetDown", "service": b, "job": b, "instance": "10.0.9.7:8080"}
    alertmanager(
        s,
        t0 + 30 * M / 60,
        [(am_alert(la, t0), "a", "A"), (am_alert(lb, t0), "b", "B")],
        group_by=("alertname",),
    )
    alertmanager(
        s,
        t0 + 5 * M,
        [(am_alert(la, t0, t0 + 4 * M), "a", "A"), (am_alert(lb, t0), "b", "B")],
        group_by=("alertname",),
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def am_job_label_without_service(s: Stream) -> None:
    """node-exporter alerts carry no service label, only job: three instances of one job, one incident
    (docs/ingest.md: service label, else job)."""
    job = s.svc("node-exporter")
    t0 = T(18, 22, 10)
    labs = [
        {
            "alertname": "NodeFilesystemAlmostOutOfSpace",
            "job": job,
            "instance": f"db-{i}:9100",
            "mountpoint": "/var/lib/postgresql",
            "severity": "warning",
        }
        for i in (1, 2, 3)
    ]
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(x, t0), f"n{i}", "A") for i, x in enumerate(labs)])
    alertmanager(
        s, t0 + timedelta(hours=4, seconds=30), [(am_alert(x, t0), f"n{i}", "A") for i, x in enumerate(labs)]
    )
    s.expect = {"A": "open"}


@stream
def am_resolved_never_seen_firing(s: Stream) -> None:
    """Only the resolved notification reaches us (the firing one predates the integration): nothing
    opens. docs/incidents.md: a recovery for an alert never seen firing opens nothing."""
    svc = s.svc("mailer")
    t0 = T(19, 5, 30)
    lab = {"alertname": "SMTPRelayErrors", "service": svc, "severity": "warning"}
    alertmanager(s, t0 + 8 * M, [(am_alert(lab, t0, t0 + 7 * M), "smtp", None)])
    s.expect = {}


@stream
def am_resolved_then_refired_inside_group(s: Stream) -> None:
    """Inside a firing group one alert resolves and fires again two intervals later while its sibling
    keeps firing: one incident, open."""
    svc = s.svc("gateway")
    t0 = T(27, 13, 0)
    l1 = {"alertname": "UpstreamErrors", "service": svc, "upstream": "auth"}
    l2 = {"alertname": "UpstreamErrors", "service": svc, "upstream": "billing"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(l1, t0), "u1", "A"), (am_alert(l2, t0), "u2", "A")])
    alertmanager(s, t0 + 5 * M, [(am_alert(l1, t0), "u1", "A"), (am_alert(l2, t0, t0 + 4 * M), "u2", "A")])
    alertmanager(s, t0 + 15 * M, [(am_alert(l1, t0), "u1", "A"), (am_alert(l2, t0 + 14 * M), "u2", "A")])
    s.expect = {"A": "open"}


@stream
def am_late_firing_after_resolved(s: Stream) -> None:
    """The HA peer's late firing notification arrives after the resolved one: the incident stays
    resolved (docs/incidents.md: an event older than the alert's last one changes nothing)."""
    svc = s.svc("reports")
    t0 = T(16, 10, 0)
    lab = {"alertname": "JobFailed", "service": svc, "cronjob": "nightly-export"}
    alertmanager(s, t0 + 30 * M / 60, [(am_alert(lab, t0), "job", "A")])
    alertmanager(s, t0 + 10 * M, [(am_alert(lab, t0, t0 + 9 * M), "job", "A")])
    # The second Alertmanager of an HA pair, whose notification of the firing state was delayed.
    alertmanager(s, t0 + 11 * M, [(am_alert(lab, t0), "job", "A")], receiver="incident-webhook-retry")
    s.expect = {"A": "resolved"}
