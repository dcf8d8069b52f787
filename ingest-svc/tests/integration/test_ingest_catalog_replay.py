"""The service catalog (YAML seed, HTTP API, rpc.catalog.lookup) enriching events; normalizer failures
dead-lettered; `rpc.ingest.replay` idempotent; `emctl send` against a live service."""

from __future__ import annotations

import argparse

import pytest
from em_shared.contracts.deliveries import ReplayRequest, ReplayResult
from em_shared.contracts.ownership import CatalogLookup, Ownership
from em_shared.contracts.subjects import S
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from ingest_svc import cli
from ingest_svc.app import create_service
from ingest_svc.samples import Sample
from ingest_svc.settings import IngestSettings
from ingest_testkit import FIXTURES, events_reader, prepare, sample_named, secret_for, secret_store, sns_key

pytestmark = pytest.mark.usefixtures("cleanup_namespace")
__all__ = ["events_reader", "secret_store", "sns_key"]


async def test_catalog_enrichment_failures_and_replay(
    servers, namespace, secret_store, sns_key, events_reader, tmp_path, monkeypatch
) -> None:
    catalog_file = tmp_path / "catalog.yaml"
    catalog_file.write_text(
        "services:\n  - name: hello\n    team: octo\n    repositories: [Codertocat/Hello-World]\n"
    )
    settings = load_settings(
        IngestSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        relay_poll_s=0.2,
        service_catalog=str(catalog_file),
    )
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        put = await http.put(
            "/v1/catalog/services/payments",
            json={
                "name": "payments",
                "team": "money",
                "apps": ["sample-app-0339"],
                "labels": {"service": "payments"},
            },
        )
        assert put.status_code == 200, put.text
        bad = await http.put("/v1/catalog/services/x", json={"name": "x", "tem": "typo"})
        assert bad.status_code == 400
        listing = (await http.get("/v1/catalog")).json()
        assert [s["name"] for s in listing["services"]] == ["hello", "payments"]
        owner = await svc.ctx.rpc.call(
            S.CATALOG_LOOKUP, CatalogLookup(repository="codertocat/hello-world"), Ownership
        )
        assert (owner.service, owner.team) == ("hello", "octo")

        pr = sample_named("github/pull_request.opened.json")
        headers, body = prepare(pr, sns_key)
        r = await http.post("/webhooks/github", content=body, headers=headers)
        heroku = sample_named("heroku/api:release.create.json")
        r2 = await http.post(
            "/webhooks/heroku", content=heroku.body, headers=heroku.signed(secret_for("heroku"))
        )
        broken = Sample(
            "jira", "", {"Content-Type": "application/json"}, b'{"webhookEvent": "jira:issue_created"}'
        )
        r3 = await http.post("/webhooks/jira", content=broken.body, headers=broken.signed(secret_for("jira")))
        assert [x.status_code for x in (r, r2, r3)] == [200, 200, 200]
        events = await events_reader(3)
        by_subject = {subject: event for subject, event, _ in events}
        assert by_subject[S.PR_OPENED]["owner"] == {
            "service": "hello",
            "team": "octo",
            "repository": "Codertocat/Hello-World",
            "organization": "Codertocat",
        }
        assert by_subject[S.DEPLOYMENT_FINISHED]["owner"]["team"] == "money"
        failed = by_subject[S.DELIVERY_FAILED]
        assert failed["delivery_id"] == r3.json()["delivery_id"] and "missing field key" in failed["error"]
        stored = (await http.get(f"/v1/deliveries/{r3.json()['delivery_id']}")).json()
        assert stored["status"] == "failed" and stored["headers"]["x-hub-signature"].startswith("sha256=")

        # Replay everything: the same deliveries are normalized again, and the same event ids come out.
        result = await svc.ctx.rpc.call(S.INGEST_REPLAY, ReplayRequest(), ReplayResult)
        assert result.queued == 3
        again = await events_reader(3, settle_s=1.5)
        assert len(again) == 3
        assert [e["id"] for _, e, _ in again] == [e["id"] for _, e, _ in events]
        replayed = (await http.get(f"/v1/deliveries/{r.json()['delivery_id']}")).json()
        assert replayed["status"] == "published"

        # emctl send signs a fixture file with EM_WEBHOOK_SECRET_<SOURCE> and posts it.
        monkeypatch.setenv("EM_WEBHOOK_SECRET_SONARQUBE", secret_for("sonarqube"))
        args = argparse.Namespace(
            fixture=FIXTURES / "sonarqube" / "analysis.quality_gate_ok.json",
            url=svc.url,
            instance="",
            fresh=False,
        )
        assert await cli.cmd_send(args) == 0
        assert await cli.cmd_send(args) == 0  # a redelivery: 200 duplicate
        final = await events_reader(4)
        assert sum(1 for s, _, _ in final if s == S.QUALITY_REPORTED) == 1
