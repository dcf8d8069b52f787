"""A chunk of signals in one transaction: same outcome as one by one, and a bad signal fails alone."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import msgspec
from incident_svc.handlers.emitter import Pending
from incident_svc.repository import first_seen as first_seen_sql

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


async def _group_state(pool, service: str, monitor: int) -> object:  # type: ignore[no-untyped-def]
    """One group's incident, alerts and timeline, without ids, clocks or its names, to compare groups."""
    incident = await pool.fetchrow(
        "SELECT id, state, severity, alert_count, firing_count, source_links, update_pending "
        "FROM incidents WHERE service = $1",
        service,
    )
    alerts = await pool.fetch(
        "SELECT external_id, status, severity, title, url, signal_count, incident_id = $1 AS attached "
        "FROM alerts WHERE service = $2 ORDER BY external_id",
        incident["id"],
        service,
    )
    entries = await pool.fetch(
        "SELECT kind, actor, via, data - 'alert_id' AS data FROM timeline WHERE incident_id = $1 ORDER BY id",
        incident["id"],
    )
    signals = await pool.fetchval(
        "SELECT count(*) FROM alert_signals s JOIN alerts a ON a.id = s.alert_id WHERE a.service = $1",
        service,
    )
    state = dict(incident)
    del state["id"]
    text = json.dumps(
        {
            "incident": state,
            "alerts": [dict(r) for r in alerts],
            "timeline": [(r["kind"], r["actor"], r["via"], r["data"]) for r in entries],
            "signals": signals,
        }
    )
    return json.loads(text.replace(service, "S").replace(f"{monitor}:", "M:"))


def _storm(signals, service: str, monitor: int, hosts: range, at: datetime, priority: str = "P3"):  # type: ignore[no-untyped-def]
    out = []
    for h in hosts:
        s = signals.datadog(
            monitor,
            f"host:{h}",
            "Triggered",
            at + timedelta(seconds=h),
            title="[P3] Slow",
            service=service,
            priority=priority,
        )
        out.append(msgspec.structs.replace(s, url=f"https://dd/{service}/{h % 12}"))
    return out


async def test_first_seen_alerts_joining_an_open_incident_take_the_chunk_path_with_the_same_outcome(
    svc, signals, monkeypatch
) -> None:
    """Groups of new firing alerts for an open incident are applied by two statements for the whole
    chunk; the outcome is the one the per-signal path gives (compared on a twin group)."""
    batches, pool = svc.ctx.state["batches"], svc.ctx.pool
    calls = []
    original = first_seen_sql.attach_new

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(args[1]))
        return await original(*args, **kwargs)

    monkeypatch.setattr(first_seen_sql, "attach_new", counting)
    for service, monitor in (("fast", 300), ("twin", 400)):
        opening = _storm(signals, service, monitor, range(0, 1), T0)
        assert await batches.handle([(s, batches.facts(s)) for s in opening]) == {}
    assert calls == []  # opening an incident is the per-signal path's
    fast = _storm(signals, "fast", 300, range(1, 15), T0)
    # The chunk also holds a group that cannot take the fast path (a recovery), which runs per signal.
    other = signals.datadog(
        301, "host:0", "Recovered", T0 + timedelta(minutes=1), title="[P3] Slow", service="x"
    )
    chunk = [*fast[:7], other, *fast[7:]]
    assert await batches.handle([(s, batches.facts(s)) for s in chunk]) == {}
    assert calls == [14]
    for s in _storm(signals, "twin", 400, range(1, 15), T0):  # the same alerts, one signal at a time
        await batches._intake.handle(s)
    fast_state = await _group_state(pool, "fast", 300)
    # Under group_interval 0 the per-signal path sends an `updated` per alert; the chunk sends one.
    assert fast_state == await _group_state(pool, "twin", 400)
    assert fast_state["incident"]["alert_count"] == 15  # type: ignore[index]
    assert len(fast_state["incident"]["source_links"]) == 10  # type: ignore[index]
    # A redelivery of the chunk changes nothing.
    assert await batches.handle([(s, batches.facts(s)) for s in fast]) == {}
    assert await _group_state(pool, "fast", 300) == fast_state
    assert await pool.fetchval("SELECT sum(signal_count) FROM alerts WHERE service = 'fast'") == 15


async def test_a_first_seen_alert_stored_by_a_concurrent_transaction_sends_the_chunk_per_signal(
    svc, signals
) -> None:
    """Another transaction inserts an alert of the chunk (its grouping key differs there, so it locks
    another incident): the chunk statement must not count it as new; the chunk rolls back and its
    signals are applied one by one, on the alert as it is now."""
    batches, pool = svc.ctx.state["batches"], svc.ctx.pool
    opening = _storm(signals, "open", 500, range(0, 1), T0)
    assert await batches.handle([(s, batches.facts(s)) for s in opening]) == {}
    elsewhere = signals.datadog(500, "host:7", "Triggered", T0, title="[P3] Slow", service="elsewhere")
    here = _storm(signals, "open", 500, range(7, 9), T0 + timedelta(seconds=5))
    async with pool.acquire() as conn_a:
        tx = conn_a.transaction()
        await tx.start()
        await batches._intake.process(conn_a, Pending(), elsewhere, batches.facts(elsewhere))
        racer = asyncio.create_task(batches.handle([(s, batches.facts(s)) for s in here]))
        await asyncio.sleep(0.3)  # the chunk statement now waits for conn_a's insert of host:7
        assert not racer.done()
        await tx.commit()
        assert await racer == {}
    rows = await pool.fetch("SELECT external_id, signal_count FROM alerts ORDER BY external_id")
    assert [tuple(r) for r in rows] == [("500:host:0", 1), ("500:host:7", 2), ("500:host:8", 1)]
    assert await pool.fetchval("SELECT count(*) FROM alert_signals") == 4
    counts = await pool.fetch("SELECT service, alert_count FROM incidents ORDER BY service")
    # As the per-signal path has it: an alert stays with the open incident it is attached to.
    assert [tuple(r) for r in counts] == [("elsewhere", 1), ("open", 2)]
