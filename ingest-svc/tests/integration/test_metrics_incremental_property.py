"""Property: folding events in batches or one by one, in any order and with duplicates, equals a recompute.

Random timelines of two services deploying one monorepo (rollbacks, hotfixes, failed attempts,
reverts, hotfix pull requests, incidents linked or attributed by window, resolved or not) are
applied in two random orders with random repeats: the first folded in random batches (mixed kinds,
duplicates inside a batch, as consumers' pulled batches are folded in one transaction each), the
second one event at a time. The derived outcomes, commit links and day partials must equal each
other and those of a recompute from the stored facts alone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.storage.migrations import migrate
from em_shared.storage.pool import create_pool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_svc.metrics.config import Config
from ingest_svc.metrics.handlers.ingest import Ingestor
from ingest_svc.metrics.handlers.rollup import Roller
from ingest_svc.metrics.module import MIGRATIONS
from ingest_svc.settings import IngestSettings
from metrics_testkit import apply, apply_batch, deployment, incident, pull_request, push

T0 = datetime(2026, 3, 27, tzinfo=UTC)  # the DST weekend in Paris is inside the generated range
NOW = datetime(2026, 4, 3, 12, tzinfo=UTC)  # some attribution windows are still open (pending)
REPO = "acme/mono"


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


@st.composite
def timelines(draw):
    n = draw(st.integers(2, 8))
    shas = [f"c{i}" for i in range(n)]
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3)))
    groups = [shas[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    events, t = [], 0.0
    for g in groups:
        t += draw(st.integers(1, 20))
        messages = {}
        if draw(st.booleans()) and g[0] != "c0":
            messages[g[-1]] = f"Revert\n\nThis reverts commit c{draw(st.integers(0, int(g[0][1:]) - 1))}."
        events.append(
            push(REPO, [(s, hours(t - 1 + i / 10)) for i, s in enumerate(g)], hours(t), messages=messages)
        )
    for i in range(draw(st.integers(2, 8))):
        status = draw(st.sampled_from(["success", "success", "success", "failure"]))
        events.append(
            deployment(
                f"D{i}",
                draw(st.sampled_from(["s1", "s1", "s2"])),
                hours(draw(st.integers(2, 100))),
                sha=draw(st.sampled_from(shas)),
                repo=REPO,
                team=draw(st.sampled_from(["t1", "t2", None])),
                status=status,
                env=draw(st.sampled_from(["production", "production", "prod-eu", "staging"])),
                is_rollback=draw(st.integers(0, 5)) == 0,
                description="hotfix" if draw(st.integers(0, 3)) == 0 else None,
            )
        )
    for j in range(draw(st.integers(0, 4))):
        opened = draw(st.integers(2, 110))
        resolved = hours(opened + draw(st.integers(1, 30))) if draw(st.booleans()) else None
        linked = [f"gha:D{draw(st.integers(0, 6))}"] if draw(st.integers(0, 3)) == 0 else []
        svc = draw(st.sampled_from(["s1", "s1", "s2"]))
        events.append(incident(f"I{j}", svc, hours(opened), linked=linked, severity="high"))
        if resolved is not None:
            events.append(incident(f"I{j}", svc, hours(opened), resolved=resolved, seq=2, linked=linked))
    if draw(st.booleans()):
        sha = draw(st.sampled_from(shas))
        events.append(
            pull_request(
                REPO,
                1,
                title="hotfix: checkout",
                merged=hours(draw(st.integers(1, 100))),
                created=T0,
                shas=[sha],
                labels=["hotfix"],
            )
        )
    order_a = draw(st.permutations(events))
    order_b = draw(st.permutations(events))
    repeats = draw(st.lists(st.sampled_from(events), max_size=4))
    seq_a = list(order_a) + repeats
    # Random batch boundaries over order_a (from one batch of everything to batches of one).
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(seq_a) - 1)), max_size=len(seq_a))))
    batches = [seq_a[a:b] for a, b in zip([0, *cuts], [*cuts, len(seq_a)], strict=True)]
    return [b for b in batches if b], list(order_b)


async def _snapshot(pool) -> dict:
    async with pool.acquire() as conn:
        outcomes = [dict(r) for r in await conn.fetch("SELECT * FROM outcomes ORDER BY key")]
        links = [
            tuple(r)
            for r in await conn.fetch("SELECT key, sha, lead_s FROM outcome_commits ORDER BY key, sha")
        ]
        partials = [
            tuple(r)
            for r in await conn.fetch(
                "SELECT scope, scope_key, environment, day, partial FROM day_partials ORDER BY 1, 2, 3, 4"
            )
        ]
    return {"outcomes": outcomes, "links": links, "partials": partials}


async def _reset(pool) -> None:
    async with pool.acquire() as conn:
        for table in (
            "deployments",
            "branch_commits",
            "commits",
            "reverts",
            "pull_requests",
            "incidents",
            "outcomes",
            "outcome_commits",
            "day_partials",
            "dirty_days",
            "rollup_versions",
            "rollup_outbox",
        ):
            await conn.execute(f"DELETE FROM {table}")


@pytest.fixture
async def metrics_pool(servers):
    schema = f"tprop{uuid.uuid4().hex[:8]}_metrics"
    pool = await create_pool(servers.database_url, schema, 1, 2)
    async with pool.acquire() as conn:
        await migrate(conn, schema, MIGRATIONS)
    try:
        yield pool
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_incremental_equals_recompute_in_any_order(metrics_pool, data):
    batches_a, order_b = data.draw(timelines())
    order_a = [item for batch in batches_a for item in batch]
    cfg = Config.from_settings(
        load_settings(IngestSettings, {}, metrics_time_zone="Europe/Paris", metrics_min_sample=1)
    )
    ingestor, roller = (
        Ingestor(metrics_pool, cfg, clock=lambda: NOW),
        Roller(metrics_pool, cfg, clock=lambda: NOW),
    )

    await _reset(metrics_pool)
    for batch in batches_a:
        await apply_batch(ingestor, batch)
    await roller.flush()
    incremental_a = await _snapshot(metrics_pool)

    await roller.recompute()
    assert await _snapshot(metrics_pool) == incremental_a

    await _reset(metrics_pool)
    for subject, event in order_b:
        await apply(ingestor, subject, event)
    await roller.flush()
    assert await _snapshot(metrics_pool) == incremental_a
    # the property is not vacuous: something was classified whenever a production deployment exists
    assert incremental_a["outcomes"] or not any(
        getattr(e, "environment", "") in ("production", "prod-eu")
        and getattr(e, "status", "") in ("success", "failure")
        for _, e in order_a
    )


async def test_pending_deployment_closes_when_its_window_passes(metrics_pool):
    """The periodic task reclassifies a pending deployment once its window closed, with no new event."""
    cfg = Config.from_settings(load_settings(IngestSettings, {}, metrics_min_sample=1))
    clock = {"now": T0 + timedelta(hours=2)}
    ingestor = Ingestor(metrics_pool, cfg, clock=lambda: clock["now"])
    roller = Roller(metrics_pool, cfg, clock=lambda: clock["now"])
    await _reset(metrics_pool)
    await apply(ingestor, *deployment("D1", "s1", T0, sha="x1", repo=REPO))
    await roller.flush()
    assert [(o["key"], o["status"]) for o in (await _snapshot(metrics_pool))["outcomes"]] == [
        ("gha:D1", "pending")
    ]
    assert await roller.close_windows() == 0  # window still open: nothing to do
    clock["now"] = T0 + timedelta(hours=24)
    assert await roller.close_windows() == 1
    await roller.flush()
    snap = await _snapshot(metrics_pool)
    assert [(o["key"], o["status"]) for o in snap["outcomes"]] == [("gha:D1", "success")]
    org_day = next(p for s, _, _, _, p in snap["partials"] if s == "org")
    assert (org_day["deployments"], org_day["pending"], org_day["failed"]) == (1, 0, 0)
