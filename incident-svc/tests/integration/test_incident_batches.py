"""A chunk of signals in one transaction: same outcome as one by one, and a bad signal fails alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from incident_svc.handlers.emitter import Pending

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


async def test_a_chunk_applies_one_alerts_signals_in_order_and_a_bad_one_fails_alone(svc, signals) -> None:
    batches = svc.ctx.state["batches"]
    fire = signals.datadog(77, "host:a", "Triggered", T0, title="[P2] Disk full", service="ledger")
    other = signals.datadog(
        77, "host:b", "Triggered", T0 + timedelta(seconds=1), title="[P2] Disk full", service="ledger"
    )
    recover = signals.datadog(
        77, "host:a", "Recovered", T0 + timedelta(minutes=2), title="[P2] Disk full", service="ledger"
    )
    last = signals.datadog(
        77, "host:b", "Recovered", T0 + timedelta(minutes=3), title="[P2] Disk full", service="ledger"
    )
    # PostgreSQL refuses NUL in text: this signal cannot be stored, whatever the code does.
    bad = signals.datadog(78, "host:z", "Triggered", T0, title="[P1] Broken\x00", service="ledger")
    chunk = [(s, batches.facts(s)) for s in (fire, bad, other, recover, last)]
    failures = await batches.handle(chunk)
    assert list(failures) == [1]  # only the bad signal; the chunk was retried one by one

    pool = svc.ctx.pool
    assert await pool.fetchval("SELECT count(*) FROM alert_signals") == 4
    rows = await pool.fetch("SELECT state, alert_count, firing_count FROM incidents")
    assert [tuple(r) for r in rows] == [("resolved", 2, 0)]  # both alerts recovered, in stream order
    kinds = await pool.fetch("SELECT kind FROM timeline ORDER BY id")
    assert [r["kind"] for r in kinds] == [
        "opened",
        "alert_attached",
        "alert_recovered",
        "alert_recovered",
        "state_changed",
    ]
    # Applying the same chunk again (a redelivery) changes nothing.
    assert await batches.handle(chunk[:1] + chunk[2:]) == {}
    assert await pool.fetchval("SELECT sum(signal_count) FROM alerts") == 4
    assert await pool.fetchval("SELECT count(*) FROM timeline") == 5


async def test_one_chunk_without_failures_commits_every_signal_at_once(svc, signals) -> None:
    batches = svc.ctx.state["batches"]
    chunk = [
        signals.datadog(
            100 + g, f"host:{i}", "Triggered", T0 + timedelta(seconds=i), title=f"[P3] Q{g}", service=f"s{g}"
        )
        for g in range(5)
        for i in range(4)
    ]
    assert await batches.handle([(s, batches.facts(s)) for s in chunk]) == {}
    rows = await svc.ctx.pool.fetch("SELECT alert_count FROM incidents ORDER BY group_key")
    assert [r["alert_count"] for r in rows] == [4] * 5


async def test_an_alert_inserted_by_a_concurrent_transaction_is_retried_not_taken_as_new(
    svc, signals
) -> None:
    """Two transactions take the first signals of one alert at once: the second must not treat the
    alert as new (it would open a second incident); it rolls back and succeeds on its retry."""
    batches, pool = svc.ctx.state["batches"], svc.ctx.pool
    first = signals.datadog(90, "host:r", "Triggered", T0, title="[P2] Race", service="race")
    second = signals.datadog(
        90, "host:r", "Triggered", T0 + timedelta(seconds=5), title="[P1] Race", service="race", priority="P1"
    )
    async with pool.acquire() as conn_a:
        tx = conn_a.transaction()
        await tx.start()
        await batches._intake.process(conn_a, Pending(), first, batches.facts(first))
        racer = asyncio.create_task(batches.handle([(second, batches.facts(second))]))
        await asyncio.sleep(0.3)  # the racer's upsert now waits for conn_a's row lock
        assert not racer.done()
        await tx.commit()
        assert await racer == {}  # raced, rolled back, then applied on its own retry
    rows = await pool.fetch("SELECT severity, alert_count FROM incidents")
    assert [tuple(r) for r in rows] == [("critical", 1)]  # one incident, escalated by the second signal
    assert await pool.fetchval("SELECT signal_count FROM alerts") == 2
