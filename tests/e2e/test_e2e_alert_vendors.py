"""End to end, every alerting vendor at once: two distinct problems per vendor on one service open two
incidents each (same service, different problems never merge, across or within vendors), and one
problem's full lifecycle (PagerDuty triggered -> acknowledged -> resolved, redelivered) moves its
incident through the same states without opening another.

Real ingest-svc and incident-svc, real NATS and PostgreSQL; bodies are the vendor fixtures in
tests/fixtures/webhooks with the problem's id and name changed, signed each vendor's way.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import LiveService, live_service
from incident_svc.app import create_service as create_incident
from incident_svc.settings import IncidentSettings
from ingest_svc.app import create_service as create_ingest
from ingest_svc.domain.sources import SOURCES
from ingest_svc.settings import IngestSettings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRET = "e2e-vendors-secret"
VENDORS = ("pagerduty", "sentry", "datadog", "newrelic", "alertmanager", "cloudwatch")
NAMES = ("HighErrorRate", "DiskAlmostFull")


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())["body"]  # type: ignore[no-any-return]


@pytest.fixture
async def services(servers, namespace, tmp_path):  # type: ignore[no-untyped-def]
    secrets = tmp_path / "webhook-secrets.yaml"
    secrets.write_text("".join(f"{v}: {SECRET}\n" for v in VENDORS))
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "services:\n  - name: checkout\n    projects: [checkout-web]\n    labels: {ServiceName: checkout}\n"
    )
    common = {"nats_url": servers.nats_url, "database_url": servers.database_url, "namespace": namespace}
    ingest_settings = load_settings(
        IngestSettings, {}, webhook_secrets_file=str(secrets), service_catalog=str(catalog), **common
    )
    incident_settings = load_settings(IncidentSettings, {}, group_interval_s=0.0, **common)
    async with (
        live_service(create_ingest(ingest_settings), ingest_settings) as ingest,
        live_service(create_incident(incident_settings), incident_settings) as incident,
    ):
        yield ingest, incident


async def _post(ingest: LiveService, source: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    signed = {"Content-Type": "application/json", **headers}
    signed.update(SOURCES[source].scheme.sign(SECRET, raw, time.time()))
    async with ingest.client() as http:
        response = await http.post(f"/webhooks/{source}", content=raw, headers=signed)
    assert response.status_code == 200, response.text


def _pagerduty(i: int, name: str, status: str, minute: int) -> dict[str, Any]:
    body = _fixture("pagerduty/incident.triggered.json")
    body["event"].update(
        id=f"01E2EVENDOR{i}{status[:3].upper()}", event_type=f"incident.{status}",
        occurred_at=f"2026-01-05T10:{minute:02d}:00Z",
    )  # fmt: skip
    body["event"]["data"].update(id=f"PE2E{i}", status=status, title=name)
    body["event"]["data"]["service"]["summary"] = "checkout"
    return body


def _problems(i: int, problem: str) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """One firing problem on checkout per vendor (the i-th of the test). Each vendor names it its own
    way: one name on one service from two vendors is one problem seen twice, and groups as one."""
    name = problem
    sentry = _fixture("sentry/issue.created.json")
    sentry["data"]["issue"].update(id=f"99000{i}", title=f"{name}Error: boom {i}")
    sentry["data"]["issue"]["project"]["slug"] = "checkout-web"
    datadog = _fixture("datadog/monitor.triggered.json")
    datadog.update(
        alert_id=f"77000{i}", alert_title=f"{name} on checkout", alert_cycle_key=f"c{i}", id=f"e{i}"
    )
    newrelic = _fixture("newrelic/workflow.issue_created.json")
    newrelic.update(
        id=str(uuid.UUID(int=i)), alertConditionNames=[f"{name} (NRQL)"], impactedEntities=["checkout"]
    )
    am = _fixture("alertmanager/resolved.single.json")
    am.update(status="firing", groupKey=f'{{}}:{{alertname="{name}"}}')
    labels = {"alertname": name, "service": "checkout", "instance": "10.0.0.1:9100", "severity": "page"}
    am["alerts"] = [
        {**am["alerts"][0], "status": "firing", "labels": labels, "endsAt": "0001-01-01T00:00:00Z"}
    ]
    am["alerts"][0].pop("fingerprint", None)
    cloudwatch = {
        "version": "0", "id": f"cw-{i}", "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": "123456789012", "time": "2026-01-05T10:00:00Z",
        "region": "us-east-1", "resources": [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:cw-{name}"],
        "detail": {
            "alarmName": f"cw-{name}", "state": {"value": "ALARM", "timestamp": "2026-01-05T10:00:00Z"},
            "configuration": {"metrics": [{"metricStat": {"metric": {
                "namespace": "AWS/ECS", "name": "CPUUtilization", "dimensions": {"ServiceName": "checkout"},
            }}}]},
        },
    }  # fmt: skip
    return [
        ("pagerduty", _pagerduty(i, f"{name} in checkout", "triggered", 0), {}),
        ("sentry", sentry, {"Sentry-Hook-Resource": "issue", "Request-ID": str(uuid.uuid4())}),
        ("datadog", datadog, {}),
        ("newrelic", newrelic, {}),
        ("alertmanager", am, {}),
        ("cloudwatch", cloudwatch, {}),
    ]


async def test_two_problems_per_vendor_on_one_service_and_one_full_lifecycle(services) -> None:  # type: ignore[no-untyped-def]
    ingest, incident = services
    sends = [p for i, name in enumerate(NAMES) for p in _problems(i, name)]
    await asyncio.gather(*(_post(ingest, s, b, h) for s, b, h in sends))
    for status, minute in (("acknowledged", 3), ("resolved", 9)):
        body = _pagerduty(0, f"{NAMES[0]} in checkout", status, minute)
        await _post(ingest, "pagerduty", body, {})
        await _post(ingest, "pagerduty", copy.deepcopy(body), {})  # a redelivery

    items: list[dict[str, Any]] = []
    for _ in range(100):
        async with incident.client() as http:
            items = (await http.get("/v1/incidents", params={"limit": 50})).json()["items"]
        if len(items) == 12 and sum(i["state"] == "resolved" for i in items) == 1:
            break
        await asyncio.sleep(0.1)
    seen = sorted((i["title"], i["state"]) for i in items)
    assert len(items) == 12 and sum(i["state"] == "resolved" for i in items) == 1, seen
    details = [await incident.ctx.rpc.call("rpc.incident.get", {"id": i["id"]}, dict) for i in items]
    by_vendor: dict[str, int] = {}
    for d in details:
        assert len(d["alerts"]) == 1, d["alerts"]
        by_vendor[d["alerts"][0]["vendor"]] = by_vendor.get(d["alerts"][0]["vendor"], 0) + 1
    assert by_vendor == dict.fromkeys(VENDORS, 2)
    assert {i.get("service") for i in items} == {"checkout"}
    states = {d["alerts"][0]["external_id"]: i["state"] for i, d in zip(items, details, strict=True)}
    assert states.pop("PE2E0") == "resolved"
    assert set(states.values()) == {"triggered"}
    [lifecycle] = [d for d in details if d["alerts"][0]["external_id"] == "PE2E0"]
    changes = [e["data"]["to"] for e in lifecycle["timeline"] if e["kind"] == "state_changed"]
    assert changes == ["acknowledged", "resolved"]
