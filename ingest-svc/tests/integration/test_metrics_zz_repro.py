import sys
sys.path.insert(0, "/work/main/ingest-svc/tests")
sys.path.insert(0, "/work/main/ingest-svc/tests/integration")
import pytest
from hypothesis import HealthCheck, given, settings, Phase, strategies as st
import test_metrics_incremental_property as m
from test_metrics_incremental_property import Config, load_settings, IngestSettings, Ingestor, Roller, apply, metrics_pool  # noqa

@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate], database=None)
@given(data=st.data())
async def test_repro(metrics_pool, data):
    batches_a, order_b = data.draw(m.timelines())
    order_a = [item for batch in batches_a for item in batch]
    cfg = Config.from_settings(load_settings(IngestSettings, {}, metrics_time_zone="Europe/Paris", metrics_min_sample=1))
    ingestor, roller = Ingestor(metrics_pool, cfg, clock=lambda: m.NOW), Roller(metrics_pool, cfg, clock=lambda: m.NOW)
    await m._reset(metrics_pool)
    for batch in batches_a:
        await ingestor.fold([(m.__dict__["apply"].__globals__["kind_of"](s), e) for s, e in batch])
    await roller.flush()
    a = await m._snapshot(metrics_pool)
    await m._reset(metrics_pool)
    for subject, event in order_b:
        await apply(ingestor, subject, event)
    await roller.flush()
    b = await m._snapshot(metrics_pool)
    await roller.recompute()
    r = await m._snapshot(metrics_pool)
    if not (a == b == r):
        print('A', a['links'], [(o['key'], o['status'], o['cause']) for o in a['outcomes']])
        for s, e in order_b:
            print("EVENT", s, {k: getattr(e, k, None) for k in ("deployment_key","service","environment","status","sha","finished_at","is_rollback","description","commits","occurred_at")} if s.startswith("deploy") else (e.commits if s.startswith("scm.commit") else e))
        print("B", b["links"], [(o["key"], o["status"], o["cause"]) for o in b["outcomes"]])
        print("R", r["links"], [(o["key"], o["status"], o["cause"]) for o in r["outcomes"]])
    assert a == b == r
