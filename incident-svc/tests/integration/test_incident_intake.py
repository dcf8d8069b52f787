"""Alert signals on real JetStream -> incidents in real PostgreSQL: dedup, grouping, lifecycle, storms."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import msgspec
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.subjects import S

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def _incidents(svc, **params):  # type: ignore[no-untyped-def]
    async with svc.client() as http:
        r = await http.get("/v1/incidents", params={"limit": 200, **params})
        assert r.status_code == 200, r.text
        return r.json()["items"]


async def _detail(svc, incident_id):  # type: ignore[no-untyped-def]
    async with svc.client() as http:
        r = await http.get(f"/v1/incidents/{incident_id}")
        assert r.status_code == 200, r.text
        return r.json()


async def _publish(svc, *events: AlertSignal) -> None:  # type: ignore[no-untyped-def]
    for event in events:
        await svc.ctx.publisher.publish(S.ALERT_RECEIVED, event)


async def _redeliver(svc, event: AlertSignal) -> None:  # type: ignore[no-untyped-def]
    """A redelivery that slipped past JetStream's duplicate window: same event id, new Nats-Msg-Id."""
    js = svc.ctx.broker.connection.jetstream()
    await js.publish(
        svc.ctx.topology.subject(S.ALERT_RECEIVED),
        msgspec.json.encode(event),
        headers={"Nats-Msg-Id": f"{event.id}-again"},
    )


async def test_pagerduty_storm_trigger_ack_resolve_with_redeliveries(svc, signals, event_log, wait) -> None:
    base = signals.body("pagerduty/incident.triggered.json")
    trig = signals.pagerduty(base)
    ack = signals.pagerduty_variant(
        base, "acknowledged", "01BZYK8N47N5JG55J1EEEHPEJX", trig.occurred_at + timedelta(minutes=3)
    )
    res = signals.pagerduty_variant(
        base, "resolved", "01BZYH1JJY09P9LEIST8HG2PMX", trig.occurred_at + timedelta(minutes=9)
    )
    await _publish(svc, trig, trig, ack)
    await _redeliver(svc, trig)
    await _redeliver(svc, ack)
    await _publish(svc, res, ack)
    await _redeliver(svc, res)

    async def resolved():  # type: ignore[no-untyped-def]
        items = await _incidents(svc)
        return items if items and items[0]["state"] == "resolved" else None

    items = await wait(resolved)
    assert len(items) == 1
    detail = await _detail(svc, items[0]["id"])
    assert len(detail["alerts"]) == 1 and detail["alerts"][0]["external_id"] == "PFQZPSY"
    assert detail["alerts"][0]["signal_count"] == 3  # three distinct events; redeliveries changed nothing
    assert detail["incident"]["severity"] == "high" and detail["incident"]["sev"] == "SEV2"
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds == ["opened", "state_changed", "alert_recovered", "state_changed"]
    assert [e["data"]["to"] for e in detail["timeline"] if e["kind"] == "state_changed"] == [
        "acknowledged",
        "resolved",
    ]
    await wait(lambda: _async(len(event_log.changes()) >= 3))
    assert event_log.changes() == ["opened", "acknowledged", "resolved"]
    assert [e.sequence for e in event_log.events] == [1, 2, 3]
    assert event_log.events[0].id == deterministic_id("incident", items[0]["id"], 1)


async def _async(value):  # type: ignore[no-untyped-def]
    return value


async def test_alertmanager_group_of_50_fires_then_resolves_in_parts(svc, signals, wait) -> None:
    def group(status: str, hosts: range, at: datetime) -> dict:
        alerts = [
            {
                "status": status,
                "labels": {
                    "alertname": "HighLatency",
                    "service": "checkout",
                    "instance": f"10.0.0.{i}:9100",
                    "severity": "warning",
                },
                "annotations": {"summary": "p99 latency above 2s"},
                "startsAt": T0.isoformat(),
                "endsAt": at.isoformat() if status == "resolved" else "0001-01-01T00:00:00Z",
            }
            for i in hosts
        ]
        return {"status": status, "alerts": alerts}

    await _publish(svc, *signals.alertmanager(group("firing", range(50), T0), at=T0))
    items = await wait(lambda: _count_alerts(svc, 50))
    assert len(items) == 1 and items[0]["state"] == "triggered" and items[0]["firing_alert_count"] == 50
    await _publish(
        svc,
        *signals.alertmanager(
            group("resolved", range(20), T0 + timedelta(minutes=5)),
            at=T0 + timedelta(minutes=5),
            delivery="d2",
        ),
    )
    items = await wait(lambda: _firing(svc, 30))
    assert items[0]["state"] == "triggered"
    await _publish(
        svc,
        *signals.alertmanager(
            group("resolved", range(20, 50), T0 + timedelta(minutes=8)),
            at=T0 + timedelta(minutes=8),
            delivery="d3",
        ),
    )
    items = await wait(lambda: _firing(svc, 0))
    assert items[0]["state"] == "resolved" and len(items) == 1
    detail = await _detail(svc, items[0]["id"])
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("alert_attached") == 49 and kinds.count("alert_recovered") == 50
    assert kinds[-1] == "state_changed" and detail["timeline"][-1]["via"] == "auto"


async def _count_alerts(svc, n):  # type: ignore[no-untyped-def]
    items = await _incidents(svc)
    return items if items and sum(i.get("alert_count", 0) for i in items) == n else None


async def _firing(svc, n):  # type: ignore[no-untyped-def]
    items = await _incidents(svc)
    return (
        items
        if items and items[0].get("firing_alert_count", 0) == n and (n or items[0]["state"] != "triggered")
        else None
    )


async def test_fixture_payload_fingerprints_are_the_dedup_key(svc, signals, wait) -> None:
    body = signals.body("alertmanager/firing.grouped_2_alerts.json")
    first = copy.deepcopy(body)
    first["alerts"] = first["alerts"][:1]
    await _publish(svc, *signals.alertmanager(first, service="hw"))
    items = await wait(lambda: _count_alerts(svc, 1))
    detail = await _detail(svc, items[0]["id"])
    assert detail["alerts"][0]["external_id"] == "a1bc48475b20e73d"
    assert detail["incident"]["severity"] == "critical"


async def test_sentry_and_datadog_recoveries_resolve_their_incidents(svc, signals, wait) -> None:
    created = signals.sentry(signals.body("sentry/issue.created.json"))
    resolved_body = copy.deepcopy(signals.body("sentry/issue.created.json"))
    resolved_body["action"] = "resolved"
    resolved = signals.sentry(resolved_body)
    dd_a = signals.datadog(
        4711, "host:web-1", "Triggered", T0, title="[P2] Error rate high on web", service="web"
    )
    dd_b = signals.datadog(
        4711,
        "host:web-2",
        "Triggered",
        T0 + timedelta(seconds=20),
        title="[P2] Error rate high on web",
        service="web",
    )
    await _publish(svc, created, dd_a, dd_b)
    items = await wait(lambda: _count_alerts(svc, 3))
    assert sorted(i["service"] for i in items) == ["web", "zulip-integration-testing"]
    web = next(i for i in items if i["service"] == "web")
    assert web["alert_count"] == 2 and web["severity"] == "high"
    rec_a = signals.datadog(
        4711,
        "host:web-1",
        "Recovered",
        T0 + timedelta(minutes=4),
        title="[P2] Error rate high on web",
        service="web",
    )
    rec_b = signals.datadog(
        4711,
        "host:web-2",
        "Recovered",
        T0 + timedelta(minutes=6),
        title="[P2] Error rate high on web",
        service="web",
    )
    await _publish(svc, resolved, rec_a, rec_b)

    async def all_resolved():  # type: ignore[no-untyped-def]
        items = await _incidents(svc)
        return items if len(items) == 2 and all(i["state"] == "resolved" for i in items) else None

    await wait(all_resolved)


async def test_refire_reopens_within_window_and_opens_new_after(settings_factory, signals, wait) -> None:
    from em_shared.testing.live import live_service
    from incident_svc.app import create_service

    settings = settings_factory(reopen_window_s=600.0, group_interval_s=0.0)
    async with live_service(create_service(settings), settings) as svc:

        def dd(transition: str, at: datetime) -> AlertSignal:
            return signals.datadog(
                99, "env:prod", transition, at, title="[P1] Queue backlog", service="billing", priority="P1"
            )

        await _publish(svc, dd("Triggered", T0), dd("Recovered", T0 + timedelta(minutes=2)))
        await wait(lambda: _states(svc, ["resolved"]))
        await _publish(svc, dd("Triggered", T0 + timedelta(minutes=7)))  # flapping: 5 min after resolution
        items = await wait(lambda: _states(svc, ["triggered"]))
        detail = await _detail(svc, items[0]["id"])
        assert [e["data"].get("to") for e in detail["timeline"] if e["kind"] == "state_changed"] == [
            "resolved",
            "triggered",
        ]
        await _publish(
            svc, dd("Recovered", T0 + timedelta(minutes=8)), dd("Triggered", T0 + timedelta(minutes=40))
        )  # 32 min later: a new incident
        await wait(lambda: _states(svc, ["triggered", "resolved"]))


async def _states(svc, states):  # type: ignore[no-untyped-def]
    items = await _incidents(svc)
    return items if [i["state"] for i in items] == states else None


async def test_same_alert_name_on_other_services_and_near_duplicate_titles_stay_apart(
    svc, signals, wait
) -> None:
    sigs = [
        signals.datadog(1, "a", "Triggered", T0, title="[P2] HighErrorRate", service="checkout"),
        signals.datadog(2, "a", "Triggered", T0, title="[P2] HighErrorRate", service="search"),
        signals.datadog(
            3, "a", "Triggered", T0, title="[P2] HighErrorRate ", service="checkout"
        ),  # same name+svc
        signals.datadog(4, "a", "Triggered", T0, title="[P2] HighErrorRates", service="checkout"),  # near-dup
    ]
    await _publish(svc, *sigs)
    items = await wait(lambda: _count_alerts(svc, 4))
    by = sorted((i["service"], i["alert_count"]) for i in items)
    assert len(items) == 3 and ("checkout", 2) in by and ("search", 1) in by


async def test_newrelic_and_cloudwatch_open_incidents_with_mapped_severity(svc, signals, wait) -> None:
    await _publish(
        svc,
        signals.newrelic(signals.body("newrelic/workflow.issue_created.json")),
        signals.cloudwatch(signals.body("aws_sns/Notification.cloudwatch_alarm.json")),
    )
    items = await wait(lambda: _count_alerts(svc, 2))
    assert sorted((i["service"], i["severity"]) for i in items) == [
        ("main-app", "critical"),
        ("storage", "high"),
    ]


async def test_suspected_deployment_is_attached_and_late_deployments_too(svc, signals, wait) -> None:
    def deploy(key: str, service: str, finished: datetime) -> DeploymentChanged:
        return DeploymentChanged(
            id=deterministic_id("deploy", key),
            occurred_at=finished,
            source="github",
            provider="github",
            deployment_key=key,
            service=service,
            environment="production",
            status="success",
            version=f"v-{key}",
            finished_at=finished,
            owner=Ownership(service=service),
        )

    await svc.ctx.publisher.publish(S.DEPLOYMENT_FINISHED, deploy("old", "cart", T0 - timedelta(hours=5)))
    await svc.ctx.publisher.publish(S.DEPLOYMENT_FINISHED, deploy("d42", "cart", T0 - timedelta(minutes=12)))
    await svc.ctx.publisher.publish(
        S.DEPLOYMENT_FINISHED, deploy("other", "search", T0 - timedelta(minutes=1))
    )

    async def seen():  # type: ignore[no-untyped-def]
        return await svc.ctx.pool.fetchval("SELECT count(*) FROM deployments") == 3

    await wait(seen)
    await _publish(svc, signals.datadog(7, "a", "Triggered", T0, title="[P1] Cart 500s", service="cart"))
    items = await wait(lambda: _count_alerts(svc, 1))
    assert items[0]["suspected_deployment_id"] == "github:d42"
    detail = await _detail(svc, items[0]["id"])
    suspect = next(e for e in detail["timeline"] if e["kind"] == "suspected_deployment")
    assert (
        suspect["data"]["deployment_id"] == "github:d42"
        and suspect["data"]["seconds_before_incident"] == 720.0
    )
    assert detail["deployments"][0]["relation"] == "suspected"
    # An incident first, its deployment's event late (ingest lag): still attached.
    await _publish(svc, signals.datadog(8, "a", "Triggered", T0, title="[P1] Pay timeouts", service="pay"))
    await wait(lambda: _count_alerts(svc, 2))
    await svc.ctx.publisher.publish(S.DEPLOYMENT_FINISHED, deploy("p1", "pay", T0 - timedelta(minutes=3)))

    async def late():  # type: ignore[no-untyped-def]
        items = await _incidents(svc, service="pay")
        return items[0].get("suspected_deployment_id") == "github:p1"

    await wait(late)


async def test_out_of_order_and_resolved_first_signals_lose_nothing(svc, signals, wait) -> None:
    fire = signals.datadog(5, "x", "Triggered", T0, title="[P3] Slow disk", service="db")
    late_old = signals.datadog(
        5, "x", "Triggered", T0 - timedelta(minutes=1), title="[P3] Slow disk", service="db"
    )
    only_resolved = signals.datadog(6, "y", "Recovered", T0, title="[P3] Other", service="db")
    await _publish(svc, fire, late_old, only_resolved)

    async def stored():  # type: ignore[no-untyped-def]
        return await svc.ctx.pool.fetchval("SELECT count(*) FROM alert_signals") == 3

    await wait(stored)
    items = await _incidents(svc)
    assert len(items) == 1 and items[0]["state"] == "triggered"  # a recovery alone opens nothing
    alerts = await svc.ctx.pool.fetch(
        "SELECT external_id, status, incident_id FROM alerts ORDER BY external_id"
    )
    assert [(a["external_id"], a["status"]) for a in alerts] == [("5:x", "firing"), ("6:y", "resolved")]
