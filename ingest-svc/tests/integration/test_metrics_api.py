"""HTTP and NATS contract of the metrics module: 400s, pending windows, versioned rollup events,
flow and quality figures, all over a live ingest-svc with real JetStream and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.metrics import DoraRolledUp
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.quality import QualityReported
from em_shared.contracts.subjects import S
from em_shared.messaging.errors import RpcFailure
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from metrics_testkit import deployment, incident, ingest_settings, pull_request, push, settle

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def _settings(servers, namespace, **kw):
    return ingest_settings(servers, namespace, **{"metrics_min_sample": 1, **kw})


async def _rolled_up(svc) -> list[DoraRolledUp]:
    js = svc.ctx.broker.connection.jetstream()
    sub = await js.pull_subscribe(
        svc.ctx.topology.subject(S.METRICS_ROLLED_UP), stream=svc.ctx.topology.stream("METRICS")
    )
    out = []
    try:
        while True:
            msgs = await sub.fetch(100, timeout=1)
            for m in msgs:
                out.append(msgspec.json.decode(m.data, type=DoraRolledUp))
                await m.ack()
    except TimeoutError:
        pass
    finally:
        await sub.unsubscribe()
    return out


async def test_bad_parameters_get_400_with_the_reason_over_http_and_nats(servers, namespace):
    settings = _settings(servers, namespace)
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for params, field in (
            ({"bucket": "year"}, "bucket"),
            ({"from": "last tuesday"}, "from"),
            ({"from": "2026-05-01", "to": "2026-04-01"}, "from"),
            ({"from": "2020-01-01", "to": "2026-01-01"}, "from"),
            ({"service": "x' OR 1=1"}, "service"),
        ):
            for path in ("/v1/metrics/dora", "/v1/metrics/flow", "/v1/metrics/quality"):
                r = await http.get(path, params=params)
                assert r.status_code == 400, (path, params, r.text)
                assert r.json()["error"] == "invalid" and field in r.json()["detail"]
        schema = (await http.get("/schema/openapi.json")).json()
        dora = schema["paths"]["/v1/metrics/dora"]["get"]
        assert {p["name"] for p in dora["parameters"]} >= {
            "service",
            "team",
            "env",
            "repository",
            "from",
            "to",
            "bucket",
        }
        figures = schema["components"]["schemas"]["DoraFigures"]["properties"]
        assert {"lead_time", "change_failure_rate", "recovery_time", "rework_rate", "levels"} <= set(figures)
        with pytest.raises(RpcFailure) as bad:
            await svc.ctx.rpc.call_raw("rpc.metrics.dora", b'{"bucket": "fortnight"}')
        assert (bad.value.status, bad.value.code) == (400, "invalid")
        with pytest.raises(RpcFailure) as unknown:
            await svc.ctx.rpc.call_raw("rpc.metrics.dora", b'{"servce": "api"}')
        assert unknown.value.status == 400


async def test_recent_deployment_is_pending_and_rollups_are_versioned_events(servers, namespace):
    settings = _settings(servers, namespace)
    now = utcnow().replace(microsecond=0)
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for subject, event in (
            deployment("old", "api", now - timedelta(days=2), sha="s1", team="core"),
            deployment("new", "api", now - timedelta(hours=1), sha="s2", team="core"),
        ):
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        body = (await http.get("/v1/metrics/dora", params={"service": "api", "bucket": "month"})).json()
        cfr = body["summary"]["change_failure_rate"]
        # 'new' is inside its 24 h window: pending, left out of the rate; 'old' closed as a success.
        assert (cfr["pending"], cfr["pending_ids"], cfr["total"], cfr["value"]) == (1, ["gha:new"], 1, 0.0)
        first = await _rolled_up(svc)
        # an incident now fails 'new': the buckets holding it get a new version
        subject, event = incident("i9", "api", now - timedelta(minutes=30))
        await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        body = (await http.get("/v1/metrics/dora", params={"service": "api", "bucket": "month"})).json()
        assert body["summary"]["change_failure_rate"]["failed"] == 1
        assert body["summary"]["change_failure_rate"]["incident_ids"] == ["i9"]
        later = await _rolled_up(svc)

    def versions(events):
        out: dict = {}
        for e in events:
            key = (e.scope, e.scope_key, e.bucket, e.bucket_start.date())
            out[key] = max(out.get(key, 0), e.version)
        return out

    v1, v2 = versions(first), versions(later)
    new_day = ("service", "api", "day", (now - timedelta(hours=1)).date())
    old_day = ("service", "api", "day", (now - timedelta(days=2)).date())
    assert (v1[new_day], v2[new_day]) == (1, 2)  # changed bucket: a new version
    assert v2[old_day] == 1  # unchanged bucket: no new version
    assert {k[0] for k in v1} >= {"service", "team", "org", "repository"}
    team_event = next(e for e in first if e.scope == "service")
    assert team_event.team == "core"
    for e in first + later:  # ids are deterministic in (scope, key, env, bucket, start, version)
        assert e.id == deterministic_id(
            "metrics.dora.rolled_up",
            e.scope,
            e.scope_key,
            e.environment,
            e.bucket,
            e.bucket_start.isoformat(),
            e.version,
        )
    newest = max(
        (e for e in later if (e.scope, e.scope_key, e.bucket, e.bucket_start.date()) == new_day),
        key=lambda e: e.version,
    )
    assert newest.values["change_failure_rate"]["failed"] == 1


async def test_flow_and_quality_figures(servers, namespace):
    settings = _settings(servers, namespace)
    t = datetime(2026, 2, 2, 9, tzinfo=UTC)
    owner = Ownership(service="api", team="core", repository="acme/api")
    events = [
        push("acme/api", [("m1", t - timedelta(hours=5))], t - timedelta(hours=1)),
        pull_request(
            "acme/api",
            7,
            title="feat: x",
            created=t - timedelta(hours=4),
            first_commit=t - timedelta(hours=6),
            first_review=t - timedelta(hours=3),
            merged=t - timedelta(hours=1),
            merge_sha="m1",
            shas=["m1"],
            additions=30,
            deletions=10,
            service="api",
            team="core",
        ),
        deployment("d1", "api", t + timedelta(hours=1), sha="m1", team="core"),
        (
            S.BUILD_FINISHED,
            BuildFinished(
                id="b1",
                occurred_at=t,
                source="test",
                provider="gha",
                kind="workflow",
                external_id="1",
                name="ci",
                status="success",
                duration_s=120,
                owner=owner,
            ),
        ),
        (
            S.BUILD_FINISHED,
            BuildFinished(
                id="b2",
                occurred_at=t,
                source="test",
                provider="gha",
                kind="workflow",
                external_id="2",
                name="ci",
                status="failure",
                duration_s=60,
                owner=owner,
            ),
        ),
        (
            S.QUALITY_REPORTED,
            QualityReported(
                id="q1",
                occurred_at=t,
                source="codecov",
                tool="codecov",
                kind="coverage",
                project="acme/api",
                coverage_pct=80.0,
                owner=owner,
            ),
        ),
        (
            S.QUALITY_REPORTED,
            QualityReported(
                id="q2",
                occurred_at=t + timedelta(days=1),
                source="codecov",
                tool="codecov",
                kind="coverage",
                project="acme/api",
                coverage_pct=82.5,
                owner=owner,
            ),
        ),
        (
            S.QUALITY_REPORTED,
            QualityReported(
                id="q3",
                occurred_at=t,
                source="sonarqube",
                tool="sonarqube",
                kind="quality_gate",
                project="acme/api",
                gate_status="ERROR",
                issue_counts={"bugs": 2, "vulnerabilities": 1},
                owner=owner,
            ),
        ),
    ]
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for subject, event in events:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        params = {"service": "api", "from": "2026-02-01", "to": "2026-02-08", "bucket": "week"}
        flow = (await http.get("/v1/metrics/flow", params=params)).json()["summary"]
        quality = (await http.get("/v1/metrics/quality", params=params)).json()["summary"]
        via_nats = await svc.ctx.rpc.call(
            "rpc.metrics.flow",
            {"service": "api", "from": "2026-02-01T00:00:00Z", "to": "2026-02-08T00:00:00Z"},
            dict,
        )
    # coding 6h->4h = 7200, pickup 4h->3h = 3600, review 3h->1h = 7200, deploy merged -> d1 = 2 h
    assert [flow[f"{k}_time"]["median_s"] for k in ("coding", "pickup", "review", "deploy", "cycle")] == [
        7200,
        3600,
        7200,
        7200,
        25200,
    ]
    assert flow["pull_request_size"]["median_lines"] == 40
    assert flow["time_to_first_review"]["median_s"] == 3600
    assert (flow["builds"]["success_rate"], flow["builds"]["duration"]["median_s"]) == (0.5, 90)
    assert via_nats["summary"]["pull_requests_merged"] == 1
    project = quality["projects"]["acme/api"]
    assert project["coverage"] == {"first_pct": 80.0, "last_pct": 82.5, "delta_pct": 2.5, "reports": 2}
    assert quality["gate_status_counts"] == {"ERROR": 1}
    assert quality["issue_counts"] == {"bugs": 2, "vulnerabilities": 1}
