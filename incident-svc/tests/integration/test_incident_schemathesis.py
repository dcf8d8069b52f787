"""Schemathesis over the live service's OpenAPI: generated requests (valid and not) never get a 5xx."""

from __future__ import annotations

from em_shared.testing.live import live_service
from em_shared.testing.openapi_fuzz import run_schemathesis
from incident_svc.app import create_service


async def test_openapi_fuzzing_finds_no_server_error(settings_factory, tmp_path) -> None:
    settings = settings_factory()
    async with live_service(create_service(settings), settings) as svc:
        async with svc.client() as http:  # something to find, so ids in paths can hit real rows too
            r = await http.post("/v1/incidents", json={"title": "seed", "actor": "fuzz"})
            assert r.status_code == 201
        code, text = await run_schemathesis(svc.url, tmp_path, 12)
        assert code == 0, text[-4000:]
        assert "/v1/incidents" in text
