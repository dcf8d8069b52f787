from datetime import timedelta
from incident_svc.repository import intake as q
from em_shared.contracts.base import deterministic_id

async def test_dbg(svc, signals) -> None:
    base = signals.body("pagerduty/incident.triggered.json")
    trig = signals.pagerduty(base)
    ack = signals.pagerduty_variant(base, "acknowledged", "01BZYK8N47N5JG55J1EEEHPEJX", trig.occurred_at + timedelta(minutes=3))
    intake = svc.ctx.state["intake"]
    async with svc.ctx.pool.acquire() as conn:
        for s in (trig, ack):
            f = intake.facts(s)
            aid = deterministic_id("alert", f.vendor, f.external_id)
            r = await q.take_signal(conn, s.id, s.occurred_at, intake._alert_values(aid, s, f), f.group_key)
            print("ROW", dict(r))
            if r["current_incident"] is None and not r["existed"]:
                await conn.execute("insert into incidents (id,title,state,severity,opened_at,group_key) values ($1,'t','triggered','high',now(),$2)", aid, f.group_key)
                await conn.execute("update alerts set incident_id=$1", aid)
    assert False
