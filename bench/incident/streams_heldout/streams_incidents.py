"""PagerDuty v3, Sentry and New Relic streams: vendors that send one *issue/incident* through its
lifecycle (PagerDuty incident.triggered/acknowledged/unacknowledged/escalated/priority_updated/
resolved/reopened; Sentry issue created/resolved/unresolved (regression)/ignored and issue alerts;
New Relic Workflows issue CREATED/ACTIVATED/ACKNOWLEDGED/CLOSED)."""

from __future__ import annotations

from datetime import timedelta

from vendors import Stream, T, catalog_sentry, newrelic, pagerduty, sentry_event_alert, sentry_issue, stream

M = timedelta(minutes=1)


@stream
def pd_full_lifecycle_with_retry(s: Stream) -> None:
    """Triggered, acknowledged, escalated, resolved; the acknowledgement delivered twice (no 2xx seen
    in time): one incident, resolved."""
    svc, inc, t0 = s.svc("checkout"), s.uid("Q").upper()[:7], T(20, 4, 12)
    title = "Checkout API 5xx rate above 2%"
    pagerduty(s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(
        s, "incident.acknowledged", t0 + 4 * M, inc, title, svc, "acknowledged", alert="i", incident="A"
    )
    s.deliveries.append(dict(s.deliveries[-1], at=s.deliveries[-1]["at"]))  # the same body again
    pagerduty(s, "incident.escalated", t0 + 34 * M, inc, title, svc, "acknowledged", alert="i", incident="A")
    pagerduty(s, "incident.resolved", t0 + 50 * M, inc, title, svc, "resolved", alert="i", incident="A")
    s.expect = {"A": "resolved"}


@stream
def pd_acknowledged_stays_acknowledged(s: Stream) -> None:
    """Triggered then acknowledged by the on-call: the incident is acknowledged
    (docs/incidents.md: PagerDuty's acknowledged status acknowledges the incident)."""
    svc, inc, t0 = s.svc("search"), s.uid("P").upper()[:7], T(21, 19, 2)
    title = "Search indexer lag > 10 min"
    pagerduty(
        s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A", urgency="low"
    )
    pagerduty(
        s,
        "incident.acknowledged",
        t0 + 7 * M,
        inc,
        title,
        svc,
        "acknowledged",
        alert="i",
        incident="A",
        urgency="low",
    )
    s.expect = {"A": "acknowledged"}


@stream
def pd_resolved_then_reopened(s: Stream) -> None:
    """Resolved too early, reopened 12 minutes later and acknowledged: one incident, acknowledged."""
    svc, inc, t0 = s.svc("auth"), s.uid("P").upper()[:7], T(22, 6, 30)
    title = "Login failures spike"
    pagerduty(
        s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A", priority="P2"
    )
    pagerduty(
        s,
        "incident.resolved",
        t0 + 20 * M,
        inc,
        title,
        svc,
        "resolved",
        alert="i",
        incident="A",
        priority="P2",
    )
    pagerduty(
        s,
        "incident.reopened",
        t0 + 32 * M,
        inc,
        title,
        svc,
        "triggered",
        alert="i",
        incident="A",
        priority="P2",
    )
    pagerduty(
        s,
        "incident.acknowledged",
        t0 + 35 * M,
        inc,
        title,
        svc,
        "acknowledged",
        alert="i",
        incident="A",
        priority="P2",
    )
    s.expect = {"A": "acknowledged"}


@stream
def pd_unacknowledged_on_timeout(s: Stream) -> None:
    """Acknowledged, the acknowledgement times out (incident.unacknowledged, status triggered), then
    resolved: one incident, resolved."""
    svc, inc, t0 = s.svc("billing"), s.uid("P").upper()[:7], T(23, 1, 15)
    title = "Invoice generation job failing"
    pagerduty(s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A")
    pagerduty(
        s, "incident.acknowledged", t0 + 3 * M, inc, title, svc, "acknowledged", alert="i", incident="A"
    )
    pagerduty(
        s, "incident.unacknowledged", t0 + 33 * M, inc, title, svc, "triggered", alert="i", incident="A"
    )
    pagerduty(s, "incident.resolved", t0 + 70 * M, inc, title, svc, "resolved", alert="i", incident="A")
    s.expect = {"A": "resolved"}


@stream
def pd_two_problems_same_service_same_minute(s: Stream) -> None:
    """Two unrelated PagerDuty incidents of one service in the same minute: two incidents."""
    svc, t0 = s.svc("storefront"), T(24, 12, 0)
    i1, i2 = s.uid("P").upper()[:7], s.uid("P").upper()[:7]
    pagerduty(s, "incident.triggered", t0, i1, "CDN origin errors", svc, "triggered", alert="a", incident="A")
    pagerduty(
        s,
        "incident.triggered",
        t0 + 20 * M / 60,
        i2,
        "Product image resizer queue full",
        svc,
        "triggered",
        alert="b",
        incident="B",
        urgency="low",
    )
    pagerduty(
        s, "incident.resolved", t0 + 9 * M, i1, "CDN origin errors", svc, "resolved", alert="a", incident="A"
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def pd_same_title_two_pd_incidents(s: Stream) -> None:
    """An integration without a dedup key opens a second PagerDuty incident with the same title for the
    same service while the first is open: one problem, one incident, open until both resolve
    (docs/incidents.md: the PagerDuty title is the alert name, grouped by service + name)."""
    svc, t0 = s.svc("warehouse"), T(25, 3, 40)
    i1, i2 = s.uid("P").upper()[:7], s.uid("P").upper()[:7]
    title = "Disk usage above 90% on warehouse-db"
    pagerduty(s, "incident.triggered", t0, i1, title, svc, "triggered", alert="a", incident="A")
    pagerduty(s, "incident.triggered", t0 + 6 * M, i2, title, svc, "triggered", alert="b", incident="A")
    pagerduty(s, "incident.resolved", t0 + 30 * M, i1, title, svc, "resolved", alert="a", incident="A")
    s.expect = {"A": "open"}


@stream
def pd_priority_raised_then_resolved(s: Stream) -> None:
    """P3 raised to P1 (incident.priority_updated), then resolved: one incident, resolved."""
    svc, inc, t0 = s.svc("payments"), s.uid("P").upper()[:7], T(26, 15, 5)
    title = "Card authorisations declining"
    pagerduty(
        s, "incident.triggered", t0, inc, title, svc, "triggered", alert="i", incident="A", priority="P3"
    )
    pagerduty(
        s,
        "incident.priority_updated",
        t0 + 8 * M,
        inc,
        title,
        svc,
        "triggered",
        alert="i",
        incident="A",
        priority="P1",
    )
    pagerduty(
        s,
        "incident.resolved",
        t0 + 41 * M,
        inc,
        title,
        svc,
        "resolved",
        alert="i",
        incident="A",
        priority="P1",
    )
    s.expect = {"A": "resolved"}


@stream
def sentry_regression_minutes_later(s: Stream) -> None:
    """Issue created, resolved by a deploy, regresses 20 minutes later: one incident, open (reopened
    within the 1 h window)."""
    svc, proj, t0 = s.svc("web"), s.svc("web") + "-frontend", T(20, 10, 0)
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_001_0), "TypeError: Cannot read properties of undefined (reading 'price')"
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="i", incident="A")
    sentry_issue(
        s, "resolved", t0 + 15 * M, issue, title, proj, "resolved", alert="i", incident="A", first_seen=t0
    )
    sentry_issue(
        s,
        "unresolved",
        t0 + 35 * M,
        issue,
        title,
        proj,
        "unresolved",
        alert="i",
        incident="A",
        first_seen=t0,
        substatus="regressed",
    )
    s.expect = {"A": "open"}


@stream
def sentry_regression_days_later(s: Stream) -> None:
    """Issue resolved, regresses five days later: a new incident for the regression (the first stays
    resolved)."""
    svc, proj, t0 = s.svc("api"), s.svc("api") + "-backend", T(14, 9, 20)
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_002_0), "KeyError: 'currency'"
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="i", incident="A")
    sentry_issue(
        s, "resolved", t0 + 45 * M, issue, title, proj, "resolved", alert="i", incident="A", first_seen=t0
    )
    t1 = t0 + timedelta(days=5, hours=3)
    sentry_issue(
        s,
        "unresolved",
        t1,
        issue,
        title,
        proj,
        "unresolved",
        alert="i",
        incident="B",
        first_seen=t0,
        substatus="regressed",
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def sentry_issue_alerts_two_issues(s: Stream) -> None:
    """An issue and the issue-alert rule firing for its events three times, plus another issue of the
    same project: two problems, two incidents, both open."""
    svc, proj, t0 = s.svc("mobile-api"), s.svc("mobile-api") + "-py", T(21, 17, 0)
    catalog_sentry(s, svc, proj)
    i1, t1 = s.num(4_310_003_0), "ConnectionResetError: [Errno 104] Connection reset by peer"
    i2, t2 = (
        s.num(4_310_004_0),
        'IntegrityError: duplicate key value violates unique constraint "devices_pkey"',
    )
    sentry_issue(s, "created", t0, i1, t1, proj, "unresolved", alert="a", incident="A")
    for k in range(3):
        sentry_event_alert(s, t0 + (k * 7 + 1) * M, i1, t1, proj, alert="a", incident="A")
    sentry_issue(s, "created", t0 + 9 * M, i2, t2, proj, "unresolved", alert="b", incident="B")
    s.expect = {"A": "open", "B": "open"}


@stream
def sentry_ignored_issue(s: Stream) -> None:
    """Issue created then archived (ignored) by the on-call: one incident, resolved
    (docs/ingest.md: ignored and archived resolve)."""
    svc, proj, t0 = s.svc("jobs"), s.svc("jobs") + "-worker", T(22, 23, 10)
    catalog_sentry(s, svc, proj)
    issue, title = s.num(4_310_005_0), "TimeoutError: thumbnailer did not answer within 30s"
    sentry_issue(s, "created", t0, issue, title, proj, "unresolved", alert="i", incident="A", level="warning")
    sentry_issue(
        s,
        "ignored",
        t0 + 12 * M,
        issue,
        title,
        proj,
        "ignored",
        alert="i",
        incident="A",
        first_seen=t0,
        level="warning",
    )
    s.expect = {"A": "resolved"}


@stream
def nr_issue_lifecycle(s: Stream) -> None:
    """New Relic issue created, activated, acknowledged, closed: one incident, resolved."""
    app, t0 = s.svc("checkout-api"), T(23, 14, 0)
    issue = f"0ea2df1c-adab-45d2-aae0-{s.uid()}"
    for state, dt in (("CREATED", 0), ("ACTIVATED", 1), ("ACKNOWLEDGED", 6), ("CLOSED", 27)):
        newrelic(s, state, t0 + dt * M, issue, app, "Apdex below 0.7", alert="i", incident="A", created=t0)
    s.expect = {"A": "resolved"}


@stream
def nr_new_issue_after_close(s: Stream) -> None:
    """Issue closed, the same condition opens a new issue on the same entity 10 minutes later: one
    incident, reopened (docs/incidents.md: re-fire within the reopen window), open."""
    app, t0 = s.svc("orders-api"), T(24, 8, 0)
    i1, i2 = f"5b1c9e2a-1f0d-4c3e-9a77-{s.uid()}", f"5b1c9e2a-1f0d-4c3e-9a77-{s.uid()}"
    cond = "Error percentage > 5"
    newrelic(s, "ACTIVATED", t0, i1, app, cond, alert="a", incident="A", created=t0, priority="CRITICAL")
    newrelic(
        s, "CLOSED", t0 + 14 * M, i1, app, cond, alert="a", incident="A", created=t0, priority="CRITICAL"
    )
    t1 = t0 + 24 * M
    newrelic(s, "ACTIVATED", t1, i2, app, cond, alert="b", incident="A", created=t1, priority="CRITICAL")
    s.expect = {"A": "open"}


@stream
def nr_two_conditions_one_entity(s: Stream) -> None:
    """Two conditions breach on one entity in the same minute (throughput and error rate); one closes:
    two incidents (different alert names, docs/incidents.md)."""
    app, t0 = s.svc("catalog-api"), T(25, 20, 30)
    i1, i2 = f"77aa01f3-2b9c-4f11-8d2e-{s.uid()}", f"77aa01f3-2b9c-4f11-8d2e-{s.uid()}"
    newrelic(
        s,
        "ACTIVATED",
        t0,
        i1,
        app,
        "Throughput below baseline",
        alert="a",
        incident="A",
        created=t0,
        priority="MEDIUM",
    )
    newrelic(
        s, "ACTIVATED", t0 + 40 * M / 60, i2, app, "Error percentage > 5", alert="b", incident="B", created=t0
    )
    newrelic(
        s,
        "CLOSED",
        t0 + 16 * M,
        i1,
        app,
        "Throughput below baseline",
        alert="a",
        incident="A",
        created=t0,
        priority="MEDIUM",
    )
    s.expect = {"A": "resolved", "B": "open"}
