"""Schemathesis over agent-svc's OpenAPI against the live service (offline model, the other services
played by doubles on the real bus): generated chats, session ids and audit queries, valid and not,
never get a 5xx. The rate limit is lifted so generated requests reach the handlers instead of a 429."""

from __future__ import annotations

from agent_svc.testing.doubles import ADMIN, CHAT, run_agent
from em_shared.testing.openapi_fuzz import run_schemathesis

METHODS = {"get", "put", "post", "patch", "delete"}


async def test_openapi_fuzzing_finds_no_server_error(servers, namespace, doubles, tmp_path) -> None:
    async with run_agent(servers, namespace, rate_per_minute=1e6, rate_burst=1_000_000) as svc:
        async with svc.client() as http:  # a real session, so generated session ids can hit a row
            r = await http.post(
                "/v2/agent/chat", json={"message": "Any incidents?", "session_id": "0"}, headers=CHAT
            )
            assert r.status_code == 200, r.text
            paths = (await http.get("/schema/openapi.json")).json()["paths"]
        assert {"/v2/agent/chat", "/v2/agent/sessions/{session_id}", "/v2/agent/audit"} <= set(paths)
        operations = sum(len(METHODS & set(item)) for item in paths.values())
        auth = f"Authorization: {ADMIN['Authorization']}"  # admin: every route, any session
        code, text = await run_schemathesis(svc.url, tmp_path, 25, "-H", auth)
        assert code == 0, text[-4000:]
        assert f"Tested: {operations}\n" in text, text[-2000:]
        assert "Authentication failed" not in text
