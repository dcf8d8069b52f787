"""Failure paths and memory: a tool whose service is down, a sub-agent that times out, a chat
through a real provider SDK with usage recorded, and long histories summarised."""

from __future__ import annotations

from agent_svc.testing.doubles import ADMIN, CHAT, parse_sse, run_agent, run_doubles
from agent_svc.testing.fake_llm import Exchange, Reply, plausible_reply


async def test_tool_whose_service_is_down_is_a_typed_error_not_a_crash(
    servers, namespace, topology, cleanup_namespace
):
    # incident-svc answers, rag-svc is down.
    async with run_doubles(servers, topology, serve=("rpc.incident.list",)) as doubles:
        async with run_agent(servers, namespace) as svc, svc.client() as http:
            body = (
                await http.post(
                    "/v2/agent/chat", json={"message": "Why did payments go down? Any runbook?"}, headers=CHAT
                )
            ).json()
            audit = (
                await http.get("/v2/agent/audit", params={"session_id": body["session_id"]}, headers=ADMIN)
            ).json()
    assert doubles.count("rpc.incident.list") == 1
    tools = {t["name"]: t["ok"] for t in body["tools"]}
    assert tools == {"incident_list": True, "knowledge_search": False}
    assert (
        "knowledge_search: unavailable (rpc.rag.search: no service answers rpc.rag.search)" in body["answer"]
    )
    outcomes = {a["tool"]: a["outcome"] for a in audit}
    assert outcomes == {"incident_list": "ok", "knowledge_search": "unavailable"}
    row = next(a for a in audit if a["tool"] == "incident_list")
    assert len(row["args_digest"]) == 32 and row["caller"].startswith("key-") and row["latency_ms"] >= 0


async def test_late_sub_agent_degrades_the_answer_which_says_so(servers, namespace, doubles, fake_llm):
    def slow_incident_agent(ex: Exchange) -> Reply:
        if "incident agent" in ex.system and "JSON Schema" not in ex.system:
            return Reply(text="too late", latency_s=3.0)
        return plausible_reply(ex)

    fake_llm.responder = slow_incident_agent
    async with (
        run_agent(
            servers,
            namespace,
            llm_chain="openai",
            openai_base_url=fake_llm.openai_base_url,
            agent_timeout_s=1.0,
        ) as svc,
        svc.client() as http,
    ):
        r = await http.post(
            "/v2/agent/chat?stream=true",
            json={"message": "Show open incidents and the deployment frequency for the checkout team"},
            headers=CHAT,
        )
    events = parse_sse(r.text)
    done = events[-1][1]
    assert set(done["agents"]) == {"incident", "metrics"}
    assert done["degraded"] == ["the incident agent did not answer within 1 s"]
    assert "Incomplete answer: the incident agent did not answer within 1 s" in done["answer"]
    assert {"agent": "incident", "status": "failed", "error": done["degraded"][0]} in [
        d for n, d in events if n == "agent"
    ]
    assert {t["agent"] for t in done["tools"]} == {"metrics"}
    assert done["offline"] is False


async def test_chat_through_anthropic_sdk_streams_tokens_and_records_usage(
    servers, namespace, doubles, fake_llm
):
    fake_llm.chunk_delay_s = 0.01
    async with (
        run_agent(
            servers, namespace, llm_chain="anthropic,offline", anthropic_base_url=fake_llm.base_url
        ) as svc,
        svc.client() as http,
    ):
        r = await http.post(
            "/v2/agent/chat",
            json={"message": "How long do code reviews take for search?"},
            headers={**CHAT, "Accept": "text/event-stream"},
        )
        events = parse_sse(r.text)
        done = events[-1][1]
        await svc.ctx.state["llm_writer"].flush()
        calls = await svc.ctx.state["repo"].llm_calls(done["session_id"])
    tokens = [d["text"] for n, d in events if n == "token"]
    assert len(tokens) > 3 and done["answer"].startswith("Fake synthesis")
    assert done["agents"] == ["review"] and done["offline"] is False
    assert {c["purpose"] for c in calls} == {"classify", "agent:review", "synthesis"}
    assert all(c["provider"] == "anthropic" and c["outcome"] == "ok" and c["input_tokens"] > 0 for c in calls)
    assert done["usage"]["cost_usd"] > 0 and done["usage"]["input_tokens"] > 0
    assert done["timing"]["model_ms"] > 0 and done["timing"]["total_ms"] >= done["timing"]["model_ms"]


async def test_model_routing_to_no_agent_is_trusted_and_costs_no_sub_agent(
    servers, namespace, doubles, fake_llm
):
    def out_of_scope(ex: Exchange) -> Reply:
        if "JSON Schema" in ex.system:
            return Reply(text='{"reason": "not about engineering", "agents": []}')
        return plausible_reply(ex)

    fake_llm.responder = out_of_scope
    async with (
        run_agent(servers, namespace, llm_chain="openai", openai_base_url=fake_llm.openai_base_url) as svc,
        svc.client() as http,
    ):
        # The rules would send "deploy" to metrics; the model's empty choice wins.
        body = (
            await http.post("/v2/agent/chat", json={"message": "write a poem about deploy day"}, headers=CHAT)
        ).json()
    assert body["agents"] == [] and body["tools"] == [] and body["degraded"] == []
    assert body["answer"].startswith("I answer from your engineering data")
    assert doubles.count("rpc.metrics.dora") == 0
    assert "Return an empty list when no agent fits" in fake_llm.exchanges[0].system


async def test_long_history_is_summarised_and_still_answers_follow_ups(servers, namespace, doubles):
    async with (
        run_agent(servers, namespace, history_max_messages=4, cache_ttl_s=0) as svc,
        svc.client() as http,
    ):
        sid = None
        for message in [
            "DORA for the checkout team?",
            "and for the payments team?",
            "any incidents there?",
            "what about the last 7 days?",
        ]:
            body = (
                await http.post("/v2/agent/chat", json={"message": message, "session_id": sid}, headers=CHAT)
            ).json()
            sid = body["session_id"]
        await svc.ctx.state["chat"].settle()  # summaries are made after the answer, in the background
        history = (await http.get(f"/v2/agent/sessions/{sid}", headers=CHAT)).json()
    assert len(history["messages"]) == 8  # every message kept for the record
    assert history["summary"] and "checkout" in history["summary"].lower()
    assert history["entities"]["team"] == "payments" and history["entities"]["days"] == "7"
    assert doubles.calls["rpc.incident.list"][-1]["team"] == "payments"
