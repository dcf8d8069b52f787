"""Schemathesis over notifier-svc's OpenAPI against the live service (fake Slack on real HTTP):
generated requests to the delivery log, replays and the Slack endpoint (unsigned, so Bolt's
verification answers), valid and not, never get a 5xx."""

from __future__ import annotations

from em_shared.testing.openapi_fuzz import run_schemathesis

METHODS = {"get", "put", "post", "patch", "delete"}


async def test_openapi_fuzzing_finds_no_server_error(notifier_factory, tmp_path) -> None:
    async with notifier_factory() as svc:
        async with svc.client() as http:
            paths = (await http.get("/schema/openapi.json")).json()["paths"]
        assert {"/slack/events", "/v1/deliveries", "/v1/deliveries/{event_id}/replay"} <= set(paths)
        operations = sum(len(METHODS & set(item)) for item in paths.values())
        code, text = await run_schemathesis(svc.url, tmp_path, 25)
        assert code == 0, text[-4000:]
        assert f"Tested: {operations}\n" in text, text[-2000:]
