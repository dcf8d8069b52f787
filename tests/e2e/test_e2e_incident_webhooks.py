"""End to end: vendor webhooks into ingest-svc become deduplicated, grouped incidents in incident-svc.

Real ingest-svc and incident-svc in one process (own ports, one namespace), real NATS and PostgreSQL;
payloads are the published vendor fixtures (tests/fixtures/webhooks, provenance in its SOURCES.md), signed the vendor's way.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from incident_svc.app import create_service as create_incident
from incident_svc.settings import IncidentSettings
from ingest_svc.app import create_service as create_ingest
from ingest_svc.settings import IngestSettings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
PD_SECRET, AM_TOKEN = "pd-e2e-secret", "am-e2e-token"


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())["body"]


async def _until(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    last = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached within {timeout}s: {last!r}")


@pytest.fixture
async def services(servers, namespace, tmp_path):  # type: ignore[no-untyped-def]
    secrets = tmp_path / "webhook-secrets.yaml"
    secrets.write_text(f"alertmanager: {AM_TOKEN}\npagerduty: {PD_SECRET}\n")
    common = {"nats_url": servers.nats_url, "database_url": servers.database_url, "namespace": namespace}
    ingest_settings = load_settings(IngestSettings, {}, webhook_secrets_file=str(secrets), **common)
    incident_settings = load_settings(IncidentSettings, {}, group_interval_s=0.0, **common)
    async with (
        live_service(create_ingest(ingest_settings), ingest_settings) as ingest,
        live_service(create_incident(incident_settings), incident_settings) as incident,
    ):
        yield ingest, incident


async def _incidents(incident) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with incident.client() as http:
        return (await http.get("/v1/incidents", params={"limit": 200})).json()["items"]


async def test_pagerduty_trigger_ack_resolve_with_redeliveries(services) -> None:  # type: ignore[no-untyped-def]
    ingest, incident = services
    base = _fixture("pagerduty/incident.triggered.json")
    t0 = datetime.fromisoformat(base["event"]["occurred_at"].replace("Z", "+00:00"))
    bodies = [base]
    for status, minutes, event_id in (
        ("acknowledged", 3, "01BZYK8N47N5JG55J1EEEHPEJX"),
        ("resolved", 9, "01BZYH1JJY09P9LEIST8HG2PMX"),
    ):
        body = copy.deepcopy(base)
        body["event"].update(
            id=event_id,
            event_type=f"incident.{status}",
            occurred_at=(t0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
        )
        body["event"]["data"]["status"] = status
        bodies.append(body)

    async def post(body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        sig = "v1=" + hmac.new(PD_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        async with ingest.client() as http:
            r = await http.post(
                "/webhooks/pagerduty",
                content=raw,
                headers={"Content-Type": "application/json", "X-PagerDuty-Signature": sig},
            )
        assert r.status_code == 200, r.text

    for body in bodies:
        await post(body)
        await post(body)  # PagerDuty redelivers when it did not see our 2xx in time

    async def resolved():  # type: ignore[no-untyped-def]
        items = await _incidents(incident)
        return items if items and items[0]["state"] == "resolved" else None

    items = await _until(resolved)
    assert len(items) == 1
    detail = await incident.ctx.rpc.call("rpc.incident.get", {"id": items[0]["id"]}, dict)
    assert [a["external_id"] for a in detail["alerts"]] == ["PFQZPSY"]
    changes = [e["data"]["to"] for e in detail["timeline"] if e["kind"] == "state_changed"]
    assert changes == ["acknowledged", "resolved"]


async def test_alertmanager_group_of_50_fires_then_resolves_in_parts(services) -> None:  # type: ignore[no-untyped-def]
    ingest, incident = services
    started = datetime.now(UTC) - timedelta(minutes=10)

    def group(status: str, hosts: range) -> dict[str, Any]:
        common = {"alertname": "HighLatencyE2E", "service": "checkout", "severity": "warning"}
        ends = datetime.now(UTC).isoformat() if status == "resolved" else "0001-01-01T00:00:00Z"
        return {
            "receiver": "em-agent",
            "status": status,
            "version": "4",
            "groupLabels": {"alertname": "HighLatencyE2E"},
            "commonLabels": common,
            "commonAnnotations": {"summary": "p99 above 2s"},
            "externalURL": "http://alertmanager:9093",
            "groupKey": '{}:{alertname="HighLatencyE2E"}',
            "truncatedAlerts": 0,
            "alerts": [
                {
                    "status": status,
                    "labels": {**common, "instance": f"10.0.0.{i}:9100"},
                    "annotations": {"summary": "p99 above 2s"},
                    "startsAt": started.isoformat(),
                    "endsAt": ends,
                    "generatorURL": "http://prometheus:9090/graph",
                }
                for i in hosts
            ],
        }

    async def post(body: dict[str, Any]) -> None:
        async with ingest.client() as http:
            r = await http.post(
                "/webhooks/alertmanager", json=body, headers={"Authorization": f"Bearer {AM_TOKEN}"}
            )
        assert r.status_code == 200, r.text

    await post(group("firing", range(50)))
    await post(group("firing", range(50)))  # repeat_interval re-send

    async def counted(firing: int, state: str):  # type: ignore[no-untyped-def]
        items = await _incidents(incident)
        ok = (
            len(items) == 1
            and items[0].get("alert_count") == 50
            and items[0].get("firing_alert_count", 0) == firing
            and items[0]["state"] == state
        )
        return items if ok else None

    await _until(lambda: counted(50, "triggered"))
    await post(group("resolved", range(20)))
    await _until(lambda: counted(30, "triggered"))
    await post(group("resolved", range(20, 50)))
    items = await _until(lambda: counted(0, "resolved"))
    detail = await incident.ctx.rpc.call("rpc.incident.get", {"id": items[0]["id"]}, dict)
    fingerprints = {a["external_id"] for a in detail["alerts"]}
    assert len(fingerprints) == 50 and all(len(f) == 16 for f in fingerprints)
