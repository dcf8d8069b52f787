"""Schemathesis over the webhook routes' OpenAPI, against the live service: generated requests (valid
and not: every source name, random JSON objects, strings, forms, wrong content types, odd instance
names) never get a 5xx other than a documented 503, and what was stored goes through the relay
(normalizer failures become `failed` deliveries, never a crash)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.storage.pool import schema_name
from em_shared.testing.live import live_service
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
        cli = Path(sys.executable).with_name("schemathesis")
        # The CLI runs in a subprocess so this event loop keeps serving the requests it sends.
        proc = await asyncio.create_subprocess_exec(
            str(cli),
            "run",
            f"{svc.url}/schema/openapi.json",
            "--include-path-regex",
            "^/webhooks/",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "40",
            "--workers",
            "1",  # CPython 3.11's ast.parse is not thread-safe and hypothesis calls it from workers
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--phases",
            "examples,coverage,fuzzing",
            "--suppress-health-check",
            "all",
            cwd=tmp_path,  # schemathesis keeps a .schemathesis/ cache in its working directory
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        text = out.decode(errors="replace")
        assert proc.returncode == 0, text[-4000:]
        assert "Selected: 2/" in text  # the two webhook operations, nothing else
        stored = await db.fetchval(f'SELECT count(*) FROM "{schema_name("ingest", namespace)}".deliveries')
        assert stored > 0, "no generated request got as far as storage"
        for _ in range(100):  # the relay drains what was stored (failed or published, nothing stuck)
            pending = await db.fetchval(f'SELECT count(*) FROM "{schema_name("ingest", namespace)}".outbox')
            if pending == 0:
                break
            await asyncio.sleep(0.2)
        assert pending == 0
