"""Schemathesis over the webhook routes' OpenAPI, against the live service: generated requests (valid
and not: every source name, random JSON objects, strings, forms, wrong content types, odd instance
names) never get a 5xx other than a documented 503, and what was stored goes through the relay
(normalizer failures become `failed` deliveries, never a crash)."""

from __future__ import annotations

import asyncio

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.storage.pool import schema_name
from em_shared.testing.live import live_service
from em_shared.testing.openapi_fuzz import run_schemathesis
from ingest_svc.app import create_service
from ingest_svc.domain.sources import SOURCES
from ingest_svc.secrets import SecretStore
from ingest_svc.settings import IngestSettings

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


async def test_webhook_openapi_fuzzing_finds_no_server_error(servers, namespace, db, tmp_path) -> None:
    # Every source but GitHub accepts unsigned bodies here, so generated payloads reach decoding,
    # storage and the normalizers; GitHub keeps its secret, so its requests exercise the 401 path.
    insecure = [s for s in SOURCES if s != "github"]
    settings = load_settings(
        IngestSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        relay_poll_s=0.2,
    )
    store = SecretStore({"github": ["fuzz-secret-0123456789"]}, insecure=insecure)
    service = create_service(settings, secrets=store)
    async with live_service(service, settings) as svc:
        async with svc.client() as http:
            schema = (await http.get("/schema/openapi.json")).json()
        operation = schema["paths"]["/webhooks/{source}"]["post"]
        assert set(operation["requestBody"]["content"]) >= {"application/json", "text/plain"}
        source_param = next(p for p in operation["parameters"] if p["name"] == "source")
        assert sorted(source_param["schema"]["enum"]) == sorted(SOURCES)
        code, text = await run_schemathesis(
            svc.url, tmp_path, 40, "--include-path-regex", "^/webhooks/", timeout_s=120
        )
        assert code == 0, text[-4000:]
        assert "Selected: 2/" in text  # the two webhook operations, nothing else
        stored = await db.fetchval(f'SELECT count(*) FROM "{schema_name("ingest", namespace)}".deliveries')
        assert stored > 0, "no generated request got as far as storage"
        for _ in range(100):  # the relay drains what was stored (failed or published, nothing stuck)
            pending = await db.fetchval(f'SELECT count(*) FROM "{schema_name("ingest", namespace)}".outbox')
            if pending == 0:
                break
            await asyncio.sleep(0.2)
        assert pending == 0


async def test_catalog_delivery_and_metrics_openapi_fuzzing_finds_no_server_error(
    servers, namespace, tmp_path
) -> None:
    """The rest of ingest's surface: catalog upserts and deletes, delivery lookups, metrics queries
    (dates, buckets, names in every shape), valid and not, never get a 5xx."""
    settings = load_settings(
        IngestSettings, {}, nats_url=servers.nats_url, database_url=servers.database_url, namespace=namespace
    )
    async with live_service(create_service(settings), settings) as svc:
        async with svc.client() as http:  # a catalog row under a short name, so generated names hit it
            r = await http.put(
                "/v1/catalog/services/0", json={"name": "0", "team": "t", "repositories": ["o/r"]}
            )
            assert r.status_code == 200, r.text
            paths = (await http.get("/schema/openapi.json")).json()["paths"]
        fuzzed = {p: item for p, item in paths.items() if not p.startswith("/webhooks/")}
        assert {"/v1/catalog/services/{name}", "/v1/deliveries/{delivery_id}", "/v1/metrics/dora"} <= set(
            fuzzed
        )
        operations = sum(
            len({"get", "put", "post", "patch", "delete"} & set(item)) for item in fuzzed.values()
        )
        code, text = await run_schemathesis(svc.url, tmp_path, 25, "--exclude-path-regex", "^/webhooks/")
        assert code == 0, text[-4000:]
        assert f"Tested: {operations}\n" in text, text[-2000:]
