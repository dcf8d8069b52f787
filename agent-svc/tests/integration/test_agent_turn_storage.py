"""A chat turn's storage: a session is written with its first turn (opening one writes nothing), a
session belongs to its caller even when another caller posts to its id, and the turn reports
how many messages await summarising so no extra query is needed."""

from __future__ import annotations

from agent_svc.testing.doubles import ADMIN, CHAT, run_agent

OTHER = {"Authorization": "Bearer other-key"}


async def test_a_foreign_session_id_is_refused_and_left_untouched(servers, namespace, doubles):
    async with run_agent(servers, namespace, cache_ttl_s=0) as svc, svc.client() as http:
        mine = await http.post(
            "/v2/agent/chat",
            json={"message": "Any open incidents for payments?", "session_id": "s-1"},
            headers=CHAT,
        )
        assert mine.status_code == 200
        theirs = await http.post(
            "/v2/agent/chat", json={"message": "What about checkout?", "session_id": "s-1"}, headers=OTHER
        )
        assert theirs.status_code == 404
        # An admin may continue anyone's session; it stays the owner's.
        admin = await http.post(
            "/v2/agent/chat", json={"message": "and for the search team?", "session_id": "s-1"}, headers=ADMIN
        )
        assert admin.status_code == 200
        history = (await http.get("/v2/agent/sessions/s-1", headers=CHAT)).json()
        repo = svc.ctx.state["repo"]
        conv, new = await repo.open("s-1", "ignored")
    assert [m["content"] for m in history["messages"] if m["role"] == "user"] == [
        "Any open incidents for payments?",
        "and for the search team?",
    ]
    assert not new and conv.caller != "ignored" and conv.entities == {"team": "search"}


async def test_opening_writes_nothing_and_the_turn_write_reports_pending_messages(
    servers, namespace, doubles
):
    async with run_agent(servers, namespace) as svc:
        repo = svc.ctx.state["repo"]
        conv, new = await repo.open("fresh", "key-a")
        assert new and conv.id == "fresh" and conv.summarised_upto == 0
        assert await repo.get("fresh") is None  # nothing stored until the first turn
        answer = {
            "answer": "a1",
            "agents": ["metrics"],
            "tools": [],
            "citations": [],
            "cached": False,
            "degraded": [],
        }
        kwargs = {"topic": "q1", "entities": {"team": "payments"}, "agents": ["metrics"]}
        assert await repo.add_turn("fresh", "key-a", "q1", answer, **kwargs) == 2
        assert await repo.add_turn("fresh", "key-a", "q2", {**answer, "answer": "a2"}, **kwargs) == 4
        # Another caller cannot append to it (the race where both created the same id).
        assert await repo.add_turn("fresh", "key-b", "q3", answer, **kwargs) is None
        assert await repo.add_turn("fresh", "key-b", "q3", answer, admin=True, **kwargs) == 6
        rows = await repo.messages("fresh")
        stored = await repo.get("fresh")
    assert [(r["role"], r["content"]) for r in rows] == [
        ("user", "q1"),
        ("assistant", "a1"),
        ("user", "q2"),
        ("assistant", "a2"),
        ("user", "q3"),
        ("assistant", "a1"),
    ]
    assert stored is not None and stored.caller == "key-a" and stored.entities == {"team": "payments"}
