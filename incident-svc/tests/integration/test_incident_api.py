"""HTTP API and `rpc.incident.*`: one handler layer, so the same rules and the same errors on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentAction, IncidentDetail, IncidentSnapshot, IncidentUpdate
from em_shared.contracts.subjects import S
from em_shared.messaging.errors import RpcFailure


async def _create(http, **kw):  # type: ignore[no-untyped-def]
    r = await http.post(
        "/v1/incidents",
        json={
            "title": "Checkout down",
            "actor": "ana",
            "severity": "high",
            "service": "checkout",
            "team": "payments",
            **kw,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_lifecycle_over_http_with_reasons_for_every_refusal(svc, event_log, wait) -> None:
    async with svc.client() as http:
        inc = await _create(http)
        assert inc["state"] == "triggered" and inc["sev"] == "SEV2" and inc["number"] >= 1
        iid = inc["id"]
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "state": "acknowledged"})
        assert r.status_code == 200 and r.json()["state"] == "acknowledged" and r.json()["acknowledged_at"]
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "state": "acknowledged"})
        assert r.status_code == 409 and "already acknowledged" in r.json()["detail"]
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "state": "closed"})
        assert r.status_code == 409 and "cannot close an incident that is acknowledged" in r.json()["detail"]
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "severity": "urgent"})
        assert r.status_code == 422 and "severity must be one of" in r.json()["detail"]
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "colour": "red"})
        assert r.status_code == 400
        r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana"})
        assert r.status_code == 422 and "nothing to change" in r.json()["detail"]
        r = await http.patch(
            f"/v1/incidents/{iid}",
            json={
                "actor": "ana",
                "severity": "critical",
                "assignee": "bo",
                "title": "Checkout 500s",
                "note": "rolling back",
            },
        )
        assert r.status_code == 200 and r.json()["severity"] == "critical" and r.json()["assignee"] == "bo"
        for state in ("mitigated", "resolved", "closed", "triggered"):
            r = await http.patch(f"/v1/incidents/{iid}", json={"actor": "ana", "state": state})
            assert r.status_code == 200 and r.json()["state"] == state, r.text
        r = await http.post(f"/v1/incidents/{iid}/notes", json={"actor": "bo", "text": "root cause: config"})
        assert r.status_code == 201
        r = await http.post(f"/v1/incidents/{iid}/notes", json={"actor": "bo", "text": "   "})
        assert r.status_code == 422
        r = await http.get(f"/v1/incidents/{inc['number']}")
        assert r.status_code == 200
        timeline = r.json()["timeline"]
        kinds = [e["kind"] for e in timeline]
        assert kinds[0] == "opened" and kinds.count("state_changed") == 5 and kinds.count("note_added") == 2
        assert "severity_changed" in kinds and "updated" in kinds
        assert all(e["via"] == "api" for e in timeline)
        # Unknown and malformed ids
        missing = deterministic_id("nothing")
        r = await http.get(f"/v1/incidents/{missing}")
        assert r.status_code == 404 and missing in r.json()["detail"]
        assert (await http.get("/v1/incidents/not-an-id")).status_code == 400
        assert (
            await http.patch(f"/v1/incidents/{missing}", json={"actor": "a", "state": "resolved"})
        ).status_code == 404
        r = await http.post("/v1/incidents", json={"title": "", "actor": "ana"})
        assert r.status_code == 400
        r = await http.post(
            "/v1/incidents", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert r.status_code == 400
    await wait(lambda: _ok(len(event_log.changes(iid)) >= 8))
    assert event_log.changes(iid)[:3] == ["opened", "acknowledged", "severity_changed"]
    assert [e.sequence for e in event_log.events if e.incident.id == iid] == list(
        range(1, len(event_log.changes(iid)) + 1)
    )


async def _ok(v):  # type: ignore[no-untyped-def]
    return v


async def test_list_filters_and_cursor_pagination(svc) -> None:
    async with svc.client() as http:
        made = []
        for i in range(7):
            made.append(
                await _create(
                    http,
                    title=f"Incident {i}",
                    service="a" if i % 2 else "b",
                    severity="low" if i < 3 else "high",
                )
            )
        seen, cursor = [], None
        while True:
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            r = await http.get("/v1/incidents", params=params)
            assert r.status_code == 200
            page = r.json()
            seen += [i["id"] for i in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        assert seen == [m["id"] for m in reversed(made)]
        r = await http.get("/v1/incidents", params={"service": "a", "severity": "high"})
        assert {i["title"] for i in r.json()["items"]} == {"Incident 3", "Incident 5"}
        r = await http.get("/v1/incidents", params={"team": "payments", "state": "triggered", "limit": 200})
        assert len(r.json()["items"]) == 7
        future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        r = await http.get("/v1/incidents", params={"since": future})
        assert r.json()["items"] == []
        for params, status in [
            ({"state": "sleeping"}, 422),
            ({"limit": 0}, 422),
            ({"limit": "x"}, 400),
            ({"cursor": "garbage!"}, 400),
            ({"since": future, "until": "2020-01-01T00:00:00Z"}, 422),
        ]:
            r = await http.get("/v1/incidents", params=params)
            assert r.status_code == status, (params, r.text)
            assert r.json()["detail"]


async def test_merge_and_link_deployment(svc, signals, wait) -> None:
    finished = datetime.now(UTC) - timedelta(minutes=30)
    await svc.ctx.publisher.publish(
        S.DEPLOYMENT_FINISHED,
        DeploymentChanged(
            id=deterministic_id("dep", "x1"),
            occurred_at=finished,
            source="gitlab",
            provider="gitlab",
            deployment_key="x1",
            service="other",
            environment="production",
            status="success",
            finished_at=finished,
        ),
    )

    async def seen():  # type: ignore[no-untyped-def]
        return await svc.ctx.pool.fetchval("SELECT count(*) FROM deployments")

    await wait(seen)
    async with svc.client() as http:
        target = await _create(http, severity="medium")
        source = await _create(http, title="Checkout errors", severity="critical")
        r = await http.post(
            f"/v1/incidents/{target['id']}/merge", json={"source_ids": [target["id"]], "actor": "a"}
        )
        assert r.status_code == 422 and "itself" in r.json()["detail"]
        r = await http.post(f"/v1/incidents/{target['id']}/merge", json={"source_ids": [], "actor": "a"})
        assert r.status_code == 400
        r = await http.post(
            f"/v1/incidents/{target['id']}/merge",
            json={"source_ids": [str(source["number"])], "actor": "a", "note": "same outage"},
        )
        assert r.status_code == 200 and r.json()["severity"] == "critical"
        r = await http.post(
            f"/v1/incidents/{target['id']}/merge", json={"source_ids": [source["id"]], "actor": "a"}
        )
        assert r.status_code == 409 and "already merged" in r.json()["detail"]
        r = await http.patch(f"/v1/incidents/{source['id']}", json={"actor": "a", "state": "triggered"})
        assert r.status_code == 409 and "merged into" in r.json()["detail"]
        merged = (await http.get(f"/v1/incidents/{source['id']}")).json()
        assert merged["incident"]["state"] == "closed" and merged["incident"]["merged_into"] == target["id"]

        url = f"/v1/incidents/{target['id']}/link-deployment"
        r = await http.post(url, json={"deployment_id": "gitlab:nope", "actor": "a"})
        assert r.status_code == 404 and "no deployment" in r.json()["detail"]
        r = await http.post(url, json={"deployment_id": "gitlab:x1", "actor": "a", "note": "config change"})
        assert r.status_code == 200 and r.json()["linked_deployment_ids"] == ["gitlab:x1"]
        r = await http.post(url, json={"deployment_id": "gitlab:x1", "actor": "a"})
        assert r.status_code == 409
        detail = (await http.get(f"/v1/incidents/{target['id']}")).json()
        assert detail["deployments"][0]["relation"] == "linked"
        assert [e["kind"] for e in detail["timeline"]][-2:] == [
            "severity_changed",
            "deployment_linked",
        ] or "deployment_linked" in [e["kind"] for e in detail["timeline"]]


async def test_rpc_applies_the_same_rules_as_http(svc) -> None:
    rpc = svc.ctx.rpc
    async with svc.client() as http:
        inc = await _create(http)
    snap = await rpc.call(
        "rpc.incident.acknowledge", IncidentAction(id=inc["id"], actor="U123", via="slack"), IncidentSnapshot
    )
    assert snap.state == "acknowledged"
    with pytest.raises(RpcFailure) as err:
        await rpc.call(
            "rpc.incident.acknowledge",
            IncidentAction(id=inc["id"], actor="U123", via="slack"),
            IncidentSnapshot,
        )
    assert err.value.status == 409 and "already acknowledged" in err.value.message
    with pytest.raises(RpcFailure) as err:
        await rpc.call(
            "rpc.incident.update",
            IncidentUpdate(id=inc["id"], actor="bot", severity="urgent", via="agent"),
            IncidentSnapshot,
        )
    assert err.value.status == 422
    with pytest.raises(RpcFailure) as err:
        await rpc.call("rpc.incident.resolve", {"id": inc["id"], "actor": "x", "extra": 1}, IncidentSnapshot)
    assert err.value.status == 400
    with pytest.raises(RpcFailure) as err:
        await rpc.call(
            "rpc.incident.resolve", IncidentAction(id=deterministic_id("none"), actor="x"), IncidentSnapshot
        )
    assert err.value.status == 404
    snap = await rpc.call(
        "rpc.incident.resolve",
        IncidentAction(id=inc["id"], actor="U123", via="slack", note="fixed"),
        IncidentSnapshot,
    )
    assert snap.state == "resolved"
    detail = await rpc.call("rpc.incident.get", {"id": str(inc["number"])}, IncidentDetail)
    assert [e.via for e in detail.timeline if e.kind == "state_changed"] == ["slack", "slack"]
    assert detail.timeline[-1].data["note"] == "fixed"
    page = await rpc.call("rpc.incident.list", {"state": "resolved"}, dict)
    assert [i["id"] for i in page["items"]] == [inc["id"]]


async def test_text_postgres_cannot_store_is_a_400_on_http_and_rpc(svc) -> None:
    """A NUL character (schemathesis found it) is refused with the reason, and nothing is written."""
    async with svc.client() as http:
        before = (await http.get("/v1/incidents")).json()
        r = await http.post("/v1/incidents", json={"title": "disk\u0000full", "actor": "fuzz"})
        assert r.status_code == 400, r.text
        assert "NUL" in r.json()["detail"]
        inc = await _create(http)
        r = await http.post(f"/v1/incidents/{inc['id']}/notes", json={"text": "a\u0000b", "actor": "ana"})
        assert r.status_code == 400 and "NUL" in r.json()["detail"]
        after = (await http.get("/v1/incidents")).json()
    assert len(after["items"]) == len(before["items"]) + 1
    with pytest.raises(RpcFailure) as err:
        await svc.ctx.rpc.call(
            "rpc.incident.update",
            IncidentUpdate(id=inc["id"], actor="bot", title="x\u0000y", via="agent"),
            IncidentSnapshot,
        )
    assert err.value.status == 400 and "NUL" in err.value.message


async def test_an_id_of_unicode_digits_is_a_400_not_a_lookup(svc) -> None:
    """`"²".isdigit()` is true but `int("²")` raises: schemathesis found `GET /v1/incidents/²` a 500."""
    async with svc.client() as http:
        inc = await _create(http)
        for ref in ("²", "¹²", "٣"):
            r = await http.get(f"/v1/incidents/{ref}")
            assert r.status_code == 400, r.text
            assert "UUID or an incident number" in r.json()["detail"]
        assert (await http.get(f"/v1/incidents/{inc['number']}")).status_code == 200
    with pytest.raises(RpcFailure) as err:
        await svc.ctx.rpc.call("rpc.incident.get", {"id": "²"}, dict)
    assert (err.value.code, err.value.status) == ("invalid", 400)
