"""End to end with no model: chat over real HTTP, sub-agents over real NATS, tools answered by
service doubles, memory in PostgreSQL."""

from __future__ import annotations

import pytest
from agent_svc.testing.doubles import ADMIN, CHAT, parse_sse, run_agent


async def test_metrics_question_calls_dora_tool_with_team_and_answers_offline(servers, namespace, doubles):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        r = await http.post(
            "/v2/agent/chat",
            json={"message": "What is the deployment frequency for the payments team over the last 2 weeks?"},
            headers=CHAT,
        )
        assert r.status_code == 200, r.text
        body = r.json()
    assert body["agents"] == ["metrics"]
    assert {"name": "metrics_dora", "agent": "metrics", "ok": True} in body["tools"]
    assert body["offline"] is True and "offline mode" in body["answer"]
    assert "deployment_frequency_per_day" in body["answer"]
    assert "Sources: metrics agent (metrics_dora" in body["answer"]
    assert body["cached"] is False
    assert body["citations"][0]["agent"] == "metrics" and body["citations"][0]["tool"] == "metrics_dora"
    sent = doubles.calls["rpc.metrics.dora"][0]
    assert sent["team"] == "payments"
    assert sent["from"] < sent["to"]


async def test_multi_agent_question_runs_both_and_cites_each(servers, namespace, doubles):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        r = await http.post(
            "/v2/agent/chat",
            json={"message": "Show open incidents and the deployment frequency for the checkout team"},
            headers=CHAT,
        )
    body = r.json()
    assert set(body["agents"]) == {"metrics", "incident"}
    assert {c["agent"] for c in body["citations"]} == {"metrics", "incident"}
    assert doubles.calls["rpc.incident.list"][0]["team"] == "checkout"
    assert doubles.calls["rpc.incident.list"][0]["state"] is None


async def test_stream_emits_session_route_agent_tool_token_and_done(servers, namespace, doubles):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        r = await http.post(
            "/v2/agent/chat?stream=true",
            json={"message": "Any incidents for the payments team?"},
            headers=CHAT,
        )
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.text)
        names = [n for n, _ in events]
        assert names[0] == "session" and names[-1] == "done"
        assert "route" in names and "token" in names
        tools = [d for n, d in events if n == "tool"]
        assert {"agent": "incident", "tool": "incident_list", "phase": "started"}.items() <= tools[0].items()
        assert any(t["phase"] == "finished" and t["ok"] for t in tools)
        done = events[-1][1]
        streamed = "".join(d["text"] for n, d in events if n == "token")
        assert streamed == done["answer"]
        # Accept: text/event-stream works the same way.
        r2 = await http.post(
            "/v2/agent/chat",
            json={"message": "How long do code reviews take?"},
            headers={**CHAT, "Accept": "text/event-stream"},
        )
        assert parse_sse(r2.text)[-1][0] == "done"


async def test_session_history_survives_restart_and_is_private(servers, namespace, doubles):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        first = (
            await http.post(
                "/v2/agent/chat", json={"message": "How is the checkout service doing on DORA?"}, headers=CHAT
            )
        ).json()
    sid = first["session_id"]
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        r = await http.get(f"/v2/agent/sessions/{sid}", headers=CHAT)
        assert r.status_code == 200
        history = r.json()
        assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
        assert history["messages"][1]["agents"] == ["metrics"]
        assert history["entities"] == {"service": "checkout"}
        other = await http.get(f"/v2/agent/sessions/{sid}", headers={"Authorization": "Bearer other-key"})
        assert other.status_code == 404
        assert (await http.get(f"/v2/agent/sessions/{sid}", headers=ADMIN)).status_code == 200
        assert (await http.get("/v2/agent/sessions/nope", headers=CHAT)).status_code == 404


async def test_five_turn_follow_ups_carry_entities(servers, namespace, doubles):
    turns = [
        "What is the deployment frequency for the checkout team this month?",
        "and for the payments team?",
        "any open incidents there?",
        "what about the last 7 days?",
        "and for the search team?",
    ]
    answers = []
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        sid = None
        for message in turns:
            r = await http.post("/v2/agent/chat", json={"message": message, "session_id": sid}, headers=CHAT)
            assert r.status_code == 200, r.text
            answers.append(r.json())
            sid = answers[-1]["session_id"]
    assert [a["agents"] for a in answers] == [
        ["metrics"],
        ["metrics"],
        ["incident"],
        ["incident"],
        ["incident"],
    ]
    dora = doubles.calls["rpc.metrics.dora"]
    assert [c["team"] for c in dora] == ["checkout", "payments"]
    listed = doubles.calls["rpc.incident.list"]
    assert [c["team"] for c in listed] == ["payments", "payments", "search"]
    assert listed[0]["state"] is None  # "open": all states asked, unresolved kept


async def test_identical_question_is_cached_until_data_changes(servers, namespace, doubles, nc):
    from datetime import UTC, datetime

    from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
    from em_shared.contracts.subjects import S
    from em_shared.messaging.publisher import EventPublisher

    question = {"message": "How many incidents did the payments team have last month?"}
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        first = (await http.post("/v2/agent/chat", json=question, headers=CHAT)).json()
        second = (await http.post("/v2/agent/chat", json=question, headers=CHAT)).json()
        assert first["cached"] is False and second["cached"] is True
        assert second["answer"] == first["answer"]
        assert doubles.count("rpc.incident.list") == 1
        snapshot = IncidentSnapshot(
            id="x", number=43, title="new", state="triggered", severity="low", opened_at=datetime.now(UTC)
        )
        publisher = EventPublisher(nc.jetstream(), svc.ctx.topology, "test")
        await publisher.publish(
            S.incident("opened"),
            IncidentChanged(
                id="evt-cache-1",
                occurred_at=datetime.now(UTC),
                source="test",
                change="opened",
                incident=snapshot,
                sequence=1,
            ),
        )
        import asyncio

        for _ in range(50):
            third = (await http.post("/v2/agent/chat", json=question, headers=CHAT)).json()
            if not third["cached"]:
                break
            await asyncio.sleep(0.1)
        assert third["cached"] is False
        assert doubles.count("rpc.incident.list") == 2


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": "Basic chat-key"}, 401)],
)
async def test_chat_requires_a_known_bearer_key(servers, namespace, doubles, headers, status):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        r = await http.post("/v2/agent/chat", json={"message": "hi"}, headers=headers)
    assert r.status_code == status
    assert r.json()["error"] == "unauthorized"


async def test_scopes_rate_limits_and_bad_input(servers, namespace, doubles):
    async with run_agent(servers, namespace, rate_per_minute=6, rate_burst=2) as svc, svc.client() as http:
        assert (await http.get("/v2/agent/audit", headers=CHAT)).status_code == 403
        bad = await http.post("/v2/agent/chat", json={"message": ""}, headers=ADMIN)
        assert bad.status_code == 400 and bad.json()["error"] == "invalid"
        extra = await http.post("/v2/agent/chat", json={"message": "x", "sessionid": "y"}, headers=ADMIN)
        assert extra.status_code == 400
        for _ in range(2):  # the burst
            assert (
                await http.post("/v2/agent/chat", json={"message": "dora?"}, headers=ADMIN)
            ).status_code == 200
        limited = await http.post("/v2/agent/chat", json={"message": "dora?"}, headers=ADMIN)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "rate_limited"


async def test_registry_over_http_and_nats(servers, namespace, doubles, nc, topology):
    from em_shared.contracts.agents import AgentRegistryListing, RegistryQuery
    from em_shared.messaging.rpc import RpcClient

    async with run_agent(servers, namespace) as svc, svc.client() as http:
        listing = (await http.get("/v2/agents", headers=CHAT)).json()
        over_nats = await RpcClient(nc, topology).call(
            "rpc.agent.registry", RegistryQuery(), AgentRegistryListing
        )
        schema = (await http.get("/schema/openapi.json")).json()
    names = [a["name"] for a in listing["agents"]]
    assert names == ["metrics", "incident", "review", "okr"]
    assert [a.name for a in over_nats.agents] == names
    incident = next(a for a in listing["agents"] if a["name"] == "incident")
    assert incident["subject"] == "rpc.agent.incident.run" and "incident_get" in incident["tools"]
    assert {"/v2/agent/chat", "/v2/agent/sessions/{session_id}", "/v2/agents", "/v2/agent/audit"} <= set(
        schema["paths"]
    )
    chat_schema = schema["components"]["schemas"]["ChatAnswer"]["properties"]
    assert {"session_id", "answer", "agents", "tools", "citations", "cached"} <= set(chat_schema)


async def test_small_talk_runs_no_agent_and_says_what_can_be_asked(servers, namespace, doubles):
    async with run_agent(servers, namespace) as svc, svc.client() as http:
        first = (
            await http.post("/v2/agent/chat", json={"message": "CFR for checkout this month?"}, headers=CHAT)
        ).json()
        thanks = (
            await http.post(
                "/v2/agent/chat", json={"message": "thanks!", "session_id": first["session_id"]}, headers=CHAT
            )
        ).json()
    assert first["agents"] == ["metrics"]
    # Not a follow-up: the thanks neither inherits the metrics topic nor calls a tool again.
    assert thanks["agents"] == [] and thanks["tools"] == [] and thanks["citations"] == []
    assert "delivery metrics" in thanks["answer"] and "which PRs are waiting for review?" in thanks["answer"]
    assert doubles.count("rpc.metrics.dora") == 1
