"""Two real consumers racing on the same problems create exactly one incident per problem.

Two live incident-svc instances share one namespace (stream, schema). With different durables each
instance's faststream consumer receives *every* signal, so every signal is processed twice at the
same moment; PostgreSQL (unique alert key, one open incident per group key) must keep the result
identical to a single consumer's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from em_shared.contracts.subjects import S
from em_shared.testing.live import live_service
from incident_svc.app import create_service

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
GROUPS, PER_GROUP = 30, 5


async def test_two_consumers_receiving_every_signal_open_one_incident_per_problem(
    settings_factory, signals, event_log, wait
) -> None:
    a = settings_factory(alert_durable="incident-alerts-a", group_interval_s=3600.0)
    b = settings_factory(alert_durable="incident-alerts-b", group_interval_s=3600.0)
    async with live_service(create_service(a), a) as svc_a, live_service(create_service(b), b):
        batch = [
            signals.datadog(
                g,
                f"host:{i}",
                "Triggered",
                T0 + timedelta(milliseconds=i),
                title=f"[P2] Problem {g}",
                service=f"svc-{g % 7}",
            )
            for i in range(PER_GROUP)
            for g in range(GROUPS)
        ]
        await asyncio.gather(*(svc_a.ctx.publisher.publish(S.ALERT_RECEIVED, s) for s in batch))
        js = svc_a.ctx.broker.connection.jetstream()
        stream = svc_a.ctx.topology.stream("INGEST")

        async def both_done():  # type: ignore[no-untyped-def]
            infos = [
                await js.consumer_info(stream, svc_a.ctx.topology.stream(d).replace(".", "_"))
                for d in ("incident-alerts-a", "incident-alerts-b")
            ]
            return all(
                i.num_pending == 0 and i.num_ack_pending == 0 and i.delivered.stream_seq >= len(batch)
                for i in infos
            )

        await wait(both_done, timeout=60)
        pool = svc_a.ctx.pool
        assert await pool.fetchval("SELECT count(*) FROM alert_signals") == GROUPS * PER_GROUP
        assert await pool.fetchval("SELECT count(*) FROM alerts") == GROUPS * PER_GROUP
        rows = await pool.fetch(
            "SELECT group_key, count(*) AS n, sum(alert_count) AS alerts FROM incidents GROUP BY group_key"
        )
        assert len(rows) == GROUPS
        assert all(r["n"] == 1 and r["alerts"] == PER_GROUP for r in rows)
        await wait(lambda: _true(event_log.changes().count("opened") >= GROUPS))
        await asyncio.sleep(0.3)
        assert event_log.changes().count("opened") == GROUPS
        assert len({e.id for e in event_log.events}) == len(event_log.events)


async def test_simultaneous_handlers_on_two_instances_race_on_the_insert(settings_factory, signals) -> None:
    """Deterministic race: for each problem, instance A and B handle *different* alerts at once."""
    a = settings_factory(alert_durable="incident-alerts-a")
    b = settings_factory(alert_durable="incident-alerts-b")
    async with live_service(create_service(a), a) as svc_a, live_service(create_service(b), b) as svc_b:
        intake_a, intake_b = svc_a.ctx.state["intake"], svc_b.ctx.state["intake"]
        jobs = []
        for g in range(40):
            first = signals.datadog(
                1000 + g, "host:1", "Triggered", T0, title=f"[P1] Race {g}", service="race"
            )
            second = signals.datadog(
                1000 + g, "host:2", "Triggered", T0, title=f"[P1] Race {g}", service="race"
            )
            jobs += [intake_a.handle(first), intake_b.handle(second), intake_b.handle(first)]
        await asyncio.gather(*jobs)
        rows = await svc_a.ctx.pool.fetch(
            "SELECT group_key, count(*) AS n, sum(alert_count) AS alerts FROM incidents GROUP BY group_key"
        )
        assert len(rows) == 40 and all(r["n"] == 1 and r["alerts"] == 2 for r in rows)
        assert await svc_a.ctx.pool.fetchval("SELECT count(*) FROM alert_signals") == 80


async def _true(value):  # type: ignore[no-untyped-def]
    return value
