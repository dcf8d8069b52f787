"""Datadog monitor and CloudWatch alarm streams: vendors that send *state transitions* of a
monitor group / alarm (Datadog Triggered, Warn, No Data, Renotify, Recovered; CloudWatch ALARM, OK,
INSUFFICIENT_DATA of metric and composite alarms, via EventBridge)."""

from __future__ import annotations

from datetime import timedelta

from vendors import Stream, T, catalog_ecs, cloudwatch, datadog, stream

M = timedelta(minutes=1)


@stream
def dd_warn_then_alert_then_recovery(s: Stream) -> None:
    """A monitor group passes Warn, then Alert (Triggered), then Recovered: one incident, resolved."""
    svc, mon, t0 = s.svc("checkout"), s.num(88_100), T(20, 15, 0)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod,team:payments"
    name = f"p95 latency high on {svc}"
    datadog(s, "Warn", t0, mon, scope, name, tags, alert="m", incident="A", priority="P3")
    datadog(s, "Triggered", t0 + 6 * M, mon, scope, name, tags, alert="m", incident="A", priority="P3")
    datadog(s, "Recovered", t0 + 31 * M, mon, scope, name, tags, alert="m", incident="A", priority="P3")
    s.expect = {"A": "resolved"}


@stream
def dd_renotify_while_alerting(s: Stream) -> None:
    """Triggered, then renotified every 60 minutes while still alerting: one incident, open."""
    svc, mon, t0 = s.svc("queue"), s.num(88_200), T(21, 1, 0)
    scope, tags = f"service:{svc},env:prod,queue:emails", f"service:{svc},env:prod,queue:emails"
    name = "RabbitMQ queue depth above 10k"
    datadog(s, "Triggered", t0, mon, scope, name, tags, alert="m", incident="A")
    for h in (1, 2, 3):
        datadog(s, "Renotify", t0 + timedelta(hours=h), mon, scope, name, tags, alert="m", incident="A")
    s.expect = {"A": "open"}


@stream
def dd_no_data_then_recovered(s: Stream) -> None:
    """The host stops reporting (No Data), then reports again (Recovered): one incident, resolved."""
    svc, mon, t0 = s.svc("batch"), s.num(88_300), T(22, 3, 33)
    scope, tags = "host:batch-worker-4", f"service:{svc},env:prod,host:batch-worker-4"
    name = f"Heartbeat missing on {svc} workers"
    datadog(s, "No Data", t0, mon, scope, name, tags, alert="m", incident="A")
    datadog(s, "Recovered", t0 + 18 * M, mon, scope, name, tags, alert="m", incident="A")
    s.expect = {"A": "resolved"}


@stream
def dd_multi_alert_hosts(s: Stream) -> None:
    """A multi-alert monitor (by host) fires for three hosts of one service within two minutes; two
    recover: one incident, open (one host still alerting)."""
    svc, mon, t0 = s.svc("api"), s.num(88_400), T(23, 9, 0)
    name = f"CPU above 90% on {svc}"
    for i, h in enumerate(("api-1", "api-2", "api-3")):
        datadog(
            s,
            "Triggered",
            t0 + i * M,
            mon,
            f"host:{h}",
            name,
            f"service:{svc},env:prod,host:{h}",
            alert=h,
            incident="A",
        )
    for i, h in enumerate(("api-1", "api-2")):
        datadog(
            s,
            "Recovered",
            t0 + (12 + i) * M,
            mon,
            f"host:{h}",
            name,
            f"service:{svc},env:prod,host:{h}",
            alert=h,
            incident="A",
        )
    s.expect = {"A": "open"}


@stream
def dd_flap_within_minutes(s: Stream) -> None:
    """Triggered, Recovered, Triggered again 6 minutes later, Recovered: one incident (re-fire inside
    the reopen window), resolved."""
    svc, mon, t0 = s.svc("edge"), s.num(88_500), T(24, 18, 10)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod"
    name = f"5xx ratio above 1% on {svc}"
    datadog(s, "Triggered", t0, mon, scope, name, tags, alert="m", incident="A", cycle="1")
    datadog(s, "Recovered", t0 + 4 * M, mon, scope, name, tags, alert="m", incident="A", cycle="1")
    datadog(s, "Triggered", t0 + 10 * M, mon, scope, name, tags, alert="m", incident="A", cycle="2")
    datadog(s, "Recovered", t0 + 22 * M, mon, scope, name, tags, alert="m", incident="A", cycle="2")
    s.expect = {"A": "resolved"}


@stream
def dd_refire_two_days_later(s: Stream) -> None:
    """Recovered, the same monitor group triggers again two days later: two incidents, the second open."""
    svc, mon, t0 = s.svc("db"), s.num(88_600), T(15, 6, 0)
    scope, tags = f"service:{svc},env:prod", f"service:{svc},env:prod"
    name = "Postgres connections above 90% of max"
    datadog(s, "Triggered", t0, mon, scope, name, tags, alert="m", incident="A", cycle="1")
    datadog(s, "Recovered", t0 + 25 * M, mon, scope, name, tags, alert="m", incident="A", cycle="1")
    datadog(
        s,
        "Triggered",
        t0 + timedelta(days=2, minutes=7),
        mon,
        scope,
        name,
        tags,
        alert="m",
        incident="B",
        cycle="2",
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def cw_alarm_flapping(s: Stream) -> None:
    """An alarm flaps ALARM/OK three times within half an hour, ends OK: one incident, resolved."""
    svc, t0 = s.svc("orders"), T(20, 21, 0)
    catalog_ecs(s, svc)
    alarm, dims = f"{svc}-target-5xx", {"ServiceName": svc, "ClusterName": "prod"}
    prev = "OK"
    for state, dt in (("ALARM", 0), ("OK", 3), ("ALARM", 5), ("OK", 9), ("ALARM", 12), ("OK", 28)):
        cloudwatch(s, t0 + dt * M, alarm, state, prev, alert="al", incident="A", dimensions=dims)
        prev = state
    s.expect = {"A": "resolved"}


@stream
def cw_composite_with_children(s: Stream) -> None:
    """Two metric alarms of one service and the composite alarm over them all notify, then clear:
    three incidents, all resolved (docs/incidents.md: a different alarm name is a different problem
    and the composite has no dimension to name a service; an on-call engineer may see one outage)."""
    svc, t0 = s.svc("payments"), T(21, 12, 0)
    catalog_ecs(s, svc)
    dims = {"ServiceName": svc, "ClusterName": "prod"}
    a, b, c = f"{svc}-5xx-high", f"{svc}-p99-latency-high", f"{svc}-degraded"
    cloudwatch(s, t0, a, "ALARM", "OK", alert="a", incident="A", dimensions=dims)
    cloudwatch(s, t0 + M, b, "ALARM", "OK", alert="b", incident="B", dimensions=dims)
    cloudwatch(
        s,
        t0 + M + 10 * M / 60,
        c,
        "ALARM",
        "OK",
        alert="c",
        incident="C",
        composite_rule=f'ALARM("{a}") AND ALARM("{b}")',
        description="checkout degraded",
    )
    cloudwatch(s, t0 + 14 * M, a, "OK", "ALARM", alert="a", incident="A", dimensions=dims)
    cloudwatch(
        s,
        t0 + 14 * M + 5 * M / 60,
        c,
        "OK",
        "ALARM",
        alert="c",
        incident="C",
        composite_rule=f'ALARM("{a}") AND ALARM("{b}")',
        description="checkout degraded",
    )
    cloudwatch(s, t0 + 17 * M, b, "OK", "ALARM", alert="b", incident="B", dimensions=dims)
    s.expect = {"A": "resolved", "B": "resolved", "C": "resolved"}


@stream
def cw_insufficient_data_then_refire_days_later(s: Stream) -> None:
    """ALARM, then INSUFFICIENT_DATA (the metric stopped), then ALARM again two days later: two
    incidents, the first resolved (docs/ingest.md: leaving ALARM resolves), the second open."""
    svc, t0 = s.svc("ingest"), T(16, 4, 0)
    catalog_ecs(s, svc)
    alarm, dims = f"{svc}-queue-age-high", {"ServiceName": svc, "ClusterName": "prod"}
    cloudwatch(s, t0, alarm, "ALARM", "OK", alert="al", incident="A", dimensions=dims)
    cloudwatch(s, t0 + 35 * M, alarm, "INSUFFICIENT_DATA", "ALARM", alert="al", incident="A", dimensions=dims)
    cloudwatch(
        s,
        t0 + timedelta(days=2, hours=5),
        alarm,
        "ALARM",
        "INSUFFICIENT_DATA",
        alert="al",
        incident="B",
        dimensions=dims,
    )
    s.expect = {"A": "resolved", "B": "open"}


@stream
def cw_same_alarm_name_two_regions(s: Stream) -> None:
    """An alarm of the same name in two regions (one stack deployed twice) fires in one region only,
    then the other fires later while the first is open: two alarms (two ARNs) of one service and name,
    one incident; the first clears, so it stays open."""
    svc, t0 = s.svc("edge-api"), T(22, 17, 0)
    catalog_ecs(s, svc)
    alarm, dims = f"{svc}-unhealthy-hosts", {"ServiceName": svc, "ClusterName": "prod"}
    cloudwatch(s, t0, alarm, "ALARM", "OK", alert="use1", incident="A", dimensions=dims)
    cloudwatch(
        s, t0 + 3 * M, alarm, "ALARM", "OK", alert="euw1", incident="A", dimensions=dims, region="eu-west-1"
    )
    cloudwatch(s, t0 + 9 * M, alarm, "OK", "ALARM", alert="use1", incident="A", dimensions=dims)
    s.expect = {"A": "open"}
