"""End to end: Sentry and Datadog recoveries posted to ingest-svc resolve the incidents their alerts opened.

Real ingest-svc and incident-svc, real NATS and PostgreSQL; bodies are the vendor fixtures in
tests/fixtures/webhooks, signed with each vendor's scheme by ingest-svc's own sample signer.
"""

from __future__ import annotations

import asyncio
import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import LiveService, live_service
from incident_svc.app import create_service as create_incident
from incident_svc.settings import IncidentSettings
from ingest_svc import samples
from ingest_svc.app import create_service as create_ingest
from ingest_svc.settings import IngestSettings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("cleanup_namespace")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRET = "e2e-recovery-secret"


@pytest.fixture
async def services(servers, namespace, tmp_path):  # type: ignore[no-untyped-def]
    secrets = tmp_path / "webhook-secrets.yaml"
    secrets.write_text(f"sentry: {SECRET}\ndatadog: {SECRET}\n")
    common = {"nats_url": servers.nats_url, "database_url": servers.database_url, "namespace": namespace}
    ingest_settings = load_settings(IngestSettings, {}, webhook_secrets_file=str(secrets), **common)
    incident_settings = load_settings(IncidentSettings, {}, group_interval_s=0.0, **common)
    async with (
        live_service(create_ingest(ingest_settings), ingest_settings) as ingest,
        live_service(create_incident(incident_settings), incident_settings) as incident,
    ):
        yield ingest, incident


async def _post(ingest: LiveService, sample: samples.Sample) -> None:
    async with ingest.client() as http:
        response = await http.post(
            f"/webhooks/{sample.source}", content=sample.body, headers=sample.signed(SECRET)
        )
    assert response.status_code == 200, response.text
    assert response.json()["duplicate"] is False


async def _incidents(incident: LiveService) -> list[dict[str, Any]]:
    async with incident.client() as http:
        return (await http.get("/v1/incidents", params={"limit": 50})).json()["items"]


async def _until_state(incident: LiveService, state: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for _ in range(int(timeout * 10)):
        items = await _incidents(incident)
        if items and all(i["state"] == state for i in items):
            return items
        await asyncio.sleep(0.1)
    raise AssertionError(f"incidents never all {state}: {items}")


def _with_body(sample: samples.Sample, body: dict[str, Any]) -> samples.Sample:
    return replace(sample, body=json.dumps(body).encode()).fresh()


async def test_sentry_issue_created_then_resolved_resolves_its_incident(services) -> None:  # type: ignore[no-untyped-def]
    ingest, incident = services
    created = samples.load(FIXTURES / "sentry" / "issue.created.json")
    resolved = samples.load(FIXTURES / "sentry" / "issue.resolved.json")
    issue_id = json.loads(created.body)["data"]["issue"]["id"]
    resolved_body = copy.deepcopy(json.loads(resolved.body))
    resolved_body["data"]["issue"]["id"] = issue_id  # the same Sentry issue, later resolved

    await _post(ingest, created)
    opened = await _until_state(incident, "triggered")
    assert len(opened) == 1
    await _post(ingest, _with_body(resolved, resolved_body))
    closed = await _until_state(incident, "resolved")
    assert [i["id"] for i in closed] == [opened[0]["id"]], "the recovery resolves, it never opens another"
    detail = await incident.ctx.rpc.call("rpc.incident.get", {"id": opened[0]["id"]}, dict)
    assert [a["external_id"] for a in detail["alerts"]] == [issue_id]


async def test_datadog_monitor_triggered_then_recovered_resolves_its_incident(services) -> None:  # type: ignore[no-untyped-def]
    ingest, incident = services
    await _post(ingest, samples.load(FIXTURES / "datadog" / "monitor.triggered.json"))
    opened = await _until_state(incident, "triggered")
    assert len(opened) == 1
    assert opened[0]["severity"] in ("critical", "high", "medium", "low")
    await _post(ingest, samples.load(FIXTURES / "datadog" / "monitor.recovered.json"))
    closed = await _until_state(incident, "resolved")
    assert [i["id"] for i in closed] == [opened[0]["id"]]
