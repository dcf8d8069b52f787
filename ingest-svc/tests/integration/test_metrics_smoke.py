"""Smoke: a deployment and an incident published to JetStream show up over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from metrics_testkit import deployment, incident, settle
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service

from ingest_svc.app import create_service
from ingest_svc.settings import IngestSettings

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


async def test_smoke(servers, namespace):
    settings = load_settings(IngestSettings, {}, nats_url=servers.nats_url, database_url=servers.database_url,
                             namespace=namespace, metrics_min_sample=1, port=0)
    async with live_service(create_service(settings), settings) as svc:
        t = datetime(2026, 3, 2, 10, tzinfo=UTC)
        for subject, event in [deployment("d1", "api", t, sha="a1"), incident("i1", "api", t.replace(hour=11))]:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        async with svc.client() as http:
            r = await http.get("/v1/metrics/dora", params={"from": "2026-03-01", "to": "2026-03-09", "bucket": "week"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["summary"]["change_failure_rate"]["failed"] == 1
