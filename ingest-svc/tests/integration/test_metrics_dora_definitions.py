"""DORA figures checked against the definitions (docs/metrics.md, dora.dev) on an independent scenario.

Written from the definitions before reading the metrics implementation; every figure is derived by hand
below. Settings: America/New_York buckets (DST starts Sun 2026-03-08 02:00 local), a 24 h attribution
window, a minimum sample of 3, lead time from the commit (the default). All times are UTC unless local.

Weeks (Monday 00:00 New York): W1 Mar 2 05:00 UTC .. Mar 9 04:00 UTC (167 h: the DST week),
W2 Mar 9 04:00 .. Mar 16 04:00, W3 Mar 16 04:00 .. Mar 23 04:00.

orders (team alpha, env production, acme/orders main, deployed by sha, no commit range):
  PR 1 (feature/export): o1 Mar 2 14:00, o2 Mar 2 16:00, merge commit m1 Mar 3 10:00, pushed 10:00
  PR 2 (feature/tax):    o3 Mar 3 09:00, merge commit m2 Mar 3 11:00, pushed 11:00
  S1 Mar 3 12:00 staging, sha m2: not production, ignored everywhere
  O1 Mar 3 15:00 sha m2, first deployment, carries both PRs: o1 25 h = 90000, o2 23 h = 82800,
     m1 5 h = 18000, o3 6 h = 21600, m2 4 h = 14400
  O2 Mar 4 15:00 sha o5: o4 (Mar 4 08:00) 25200, o5 (09:00) 21600 (pushed together at 10:00)
     I1 (orders, production, high) opened Mar 4 18:00, resolved 20:30, linked to nothing: inside O2's
     window [Mar 4 15:00, O3 19:00) -> O2 failed (incident_window).
  O3 Mar 4 19:00 sha o6 (18:30, pushed 18:40): lead 1800. Fix-forward: recovers O2 at 19:00, before I1
     resolves -> O2 recovery 18:00 -> 19:00 = 3600; O3 is rework (it recovered a failed deployment).
  O4 Mar 5 16:00 sha o7 (12:00, pushed 12:10): lead 14400.
  S2 Mar 5 16:30 staging, sha o6: ignored (no rollback of O4 by a staging deploy)
  O5 Mar 5 17:00 sha o6, not flagged: deploys a sha first deployed (O3) before O4 -> O4 failed
     (rollback), recovery 16:00 -> 17:00 = 3600; O5 rework; O5 carries no new commit.
  O6 Mar 6 14:00 sha o8 (10:00, pushed 10:05): the range after o6 holds o7 and o8, but o7 was first
     deployed by O4: only o8 counts, 14400.
  O7 Mar 10 15:00 sha o8 again (a redeploy, no commit): not a rollback of O6 (o8 was first deployed BY
     O6, not before it); no lead time.
  O8 Mar 11 13:00 sha o9 (09:00, pushed 09:10): lead 14400.
  PR 3 (branch hotfix/null-total, arrives late): o10 Mar 11 13:40, merge commit m3 14:00, pushed 14:00
  O9 Mar 11 14:30 sha m3: a hotfix by its pull request's branch -> O8 failed (hotfix), recovery
     13:00 -> 14:30 = 5400; leads o10 3000, m3 1800. O9 is rework (hotfix).
     I3 (high) opened Mar 11 16:00, resolved 19:00; I4 (medium, late) opened 17:00, resolved 19:30:
     overlapping, both in O9's window -> O9 failed (incident_window); failure from the earliest start
     16:00 to all resolved 19:30 (before O10) = 12600.
  O10 Mar 12 20:00 sha o11 (15:00, pushed 15:05): lead 18000. Not rework: O9 had recovered before.
search (team beta, env prod, commit ranges given by the source):
  s1 Mar 5 22:00, s2 Mar 6 01:00 (pushed 01:10, the push arrives late); s3 Mar 9 02:00 (pushed 02:10);
  s4 Mar 12 10:30 (pushed 10:35)
  staging: a failed attempt Mar 9 02:30 and a success 03:00 of [s3]: ignored (not even an attempt)
  E1 Mar 9 03:30 UTC = Sun Mar 8 23:30 EDT -> W1: s1 77.5 h = 279000, s2 74.5 h = 268200
  E2 Mar 9 04:30 UTC = Mon Mar 9 00:30 EDT -> W2: s3 9000
     I2 (critical) linked to gha:E2 (late), opened Mar 12 10:00 (outside the window: a link counts at
     any time), resolved 12:00 -> E2 failed (incident_linked)
  Mar 12 10:45 production attempt of [s4] fails: a failed attempt, not a deployment, not a recovery
  E3 Mar 12 11:00 [s4]: lead 1800 (from the commit to the first SUCCESSFUL deployment); recovers E2
     (10:00 -> 11:00 = 3600, before I2's resolution); E3 rework.
payments (team alpha, env prod-us, deployed by sha):
  p1 Mar 16 13:00, p2 14:00 (pushed 14:05)
  P1 Mar 16 16:00 sha p2, first deployment: p1 10800, p2 7200 (delivered twice, with two event ids)
  P2 Mar 17 16:00 sha px, never pushed: a deployment with no known commit (no lead time)
     I5 (high, prod-us) opened Mar 17 17:00, resolved 17:45 -> P2 failed (incident_window, which comes
     before rollback in the order of evidence)
  P3 Mar 17 17:30, is_rollback, sha p2: recovers P2 at 17:30 (before I5's resolution) -> 17:00 ->
     17:30 = 1800; P3 rework; no new commit
  P4 Mar 18 12:00 sha p3 (09:00, pushed 09:05): lead 10800 (px is unknown; the range after p2 is p3)
     I6 (payments, staging, low) opened Mar 18 13:00: not production, P4 stays a success.

Per week (deployments; failed; leads; recoveries; rework):
  W1: O1 O2 O3 O4 O5 O6 E1 = 7 on local Mar 3, 4, 5, 6, 8 (5 days); failed O2 O4 -> 2/7;
      leads [1800, 14400 x3, 18000, 21600 x2, 25200, 82800, 90000, 268200, 279000] n 12:
      median (21600 + 21600) / 2 = 21600; p90 at rank 9.9 = 90000 + 0.9 * 178200 = 250380;
      recovery [3600, 3600]; rework O3 O5 = 2/7.
  W2: E2 O7 O8 O9 E3 O10 = 6 on Mar 9, 10, 11, 12 (4 days); failed E2 O8 O9 -> 3/6;
      leads [1800 (m3), 1800 (s4), 3000, 9000, 14400, 18000] n 6: median 6000; p90 at rank 4.5 = 16200;
      recovery [3600, 5400, 12600]: median 5400; p90 at rank 1.8 = 5400 + 0.8 * 7200 = 11160;
      rework O9 E3 = 2/6.
  W3: P1 P2 P3 P4 = 4 on Mar 16, 17, 18 (3 days); failed P2 -> 1/4; leads [7200, 10800, 10800]:
      median 10800, p90 10800; recovery [1800]; rework P3 = 1/4.
  Summary: 17 deployments on 12 of 21 days; 6 failed -> 6/17; leads n 21, sorted
      [1800 x3, 3000, 7200, 9000, 10800 x2, 14400 x4, 18000 x2, 21600 x2, 25200, 82800, 90000, 268200,
      279000]: median (index 10) 14400, p90 (index 18) 90000; recovery [1800, 3600 x3, 5400, 12600]:
      median 3600, p90 at rank 4.5 = 5400 + 0.5 * 7200 = 9000; rework 5/17; attempts 18, 1 failed.
  Team alpha (orders + payments): 14 deployments, failed O2 O4 O8 O9 P2 = 5; leads n 17, sorted
      [1800 x2, 3000, 7200, 10800 x2, 14400 x4, 18000 x2, 21600 x2, 25200, 82800, 90000]: median 14400.
  Team beta (search): 3 deployments, failed E2 -> 1/3; leads [1800, 9000, 268200, 279000]: median
      138600; rework E3 -> 1/3. Week W1 alone (E1): 1 closed deployment < 3 -> null.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.metrics import DoraQuery
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from metrics_testkit import deployment, incident, ingest_settings, pull_request, push, settle

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

ORDERS, SEARCH, PAYMENTS = "acme/orders", "acme/search", "acme/payments"
ALPHA, BETA = {"team": "alpha"}, {"team": "beta"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def orders(key: str, finished: datetime, sha: str, **kw):
    return deployment(key, "orders", finished, sha=sha, **ALPHA, **kw)


def search(key: str, finished: datetime, shas: list[str], **kw):
    kw.setdefault("env", "prod")
    return deployment(key, "search", finished, commit_range=shas, **BETA, **kw)


def payments(key: str, finished: datetime, sha: str, **kw):
    return deployment(key, "payments", finished, sha=sha, env="prod-us", **ALPHA, **kw)


def redelivered(item, tag: str):
    """The same fact under a new event id (a second webhook delivery): JetStream keeps both."""
    subject, event = item
    fields = {f: getattr(event, f) for f in event.__struct_fields__}
    return subject, event.__class__(**{**fields, "id": deterministic_id("redelivered", tag)})


def first_batch():
    return [
        # orders: deployments first, their pushes after (out of order)
        orders("O2", at(4, 15), "o5"),
        orders("O1", at(3, 15), "m2"),
        orders("S1", at(3, 12), "m2", env="staging"),
        push(ORDERS, [("o1", at(2, 14)), ("o2", at(2, 16)), ("m1", at(3, 10))], at(3, 10)),
        push(ORDERS, [("o3", at(3, 9)), ("m2", at(3, 11))], at(3, 11)),
        pull_request(
            ORDERS,
            1,
            title="Add order export",
            created=at(2, 15),
            merged=at(3, 10),
            merge_sha="m1",
            shas=["o1", "o2"],
            branch="feature/export",
            service="orders",
            **ALPHA,
        ),
        pull_request(
            ORDERS,
            2,
            title="Tax rounding",
            created=at(3, 9, 30),
            merged=at(3, 11),
            merge_sha="m2",
            shas=["o3"],
            branch="feature/tax",
            service="orders",
            **ALPHA,
        ),
        push(ORDERS, [("o4", at(4, 8)), ("o5", at(4, 9))], at(4, 10)),
        incident("I1", "orders", at(4, 18), resolved=at(4, 20, 30), seq=2, env="production", **ALPHA),
        orders("O3", at(4, 19), "o6"),
        push(ORDERS, [("o6", at(4, 18, 30))], at(4, 18, 40)),
        push(ORDERS, [("o7", at(5, 12))], at(5, 12, 10)),
        orders("O5", at(5, 17), "o6"),
        orders("O4", at(5, 16), "o7"),
        orders("S2", at(5, 16, 30), "o6", env="staging"),
        push(ORDERS, [("o8", at(6, 10))], at(6, 10, 5)),
        orders("O6", at(6, 14), "o8"),
        orders("O7", at(10, 15), "o8"),
        push(ORDERS, [("o9", at(11, 9))], at(11, 9, 10)),
        orders("O8", at(11, 13), "o9"),
        push(ORDERS, [("o10", at(11, 13, 40)), ("m3", at(11, 14))], at(11, 14)),
        orders("O9", at(11, 14, 30), "m3"),
        incident("I3", "orders", at(11, 16), resolved=at(11, 19), env="production", **ALPHA),
        push(ORDERS, [("o11", at(12, 15))], at(12, 15, 5)),
        orders("O10", at(12, 20), "o11"),
        # search: ranges given by the source; staging ignored; a failed production attempt
        search("E1", at(9, 3, 30), ["s1", "s2"]),
        search("ST1", at(9, 2, 30), ["s3"], env="staging", status="failure"),
        search("ST2", at(9, 3), ["s3"], env="staging"),
        push(SEARCH, [("s3", at(9, 2))], at(9, 2, 10)),
        search("E2", at(9, 4, 30), ["s3"]),
        push(SEARCH, [("s4", at(12, 10, 30))], at(12, 10, 35)),
        search("E3", at(12, 11), ["s4"]),
        search("EF", at(12, 10, 45), ["s4"], status="failure"),
        # payments
        push(PAYMENTS, [("p1", at(16, 13)), ("p2", at(16, 14))], at(16, 14, 5)),
        payments("P1", at(16, 16), "p2"),
        payments("P2", at(17, 16), "px"),
        payments("P3", at(17, 17, 30), "p2", is_rollback=True),
        incident("I5", "payments", at(17, 17), resolved=at(17, 17, 45), env="prod-us", **ALPHA),
        push(PAYMENTS, [("p3", at(18, 9))], at(18, 9, 5)),
        payments("P4", at(18, 12), "p3"),
        incident("I6", "payments", at(18, 13), resolved=at(18, 14), severity="low", env="staging", **ALPHA),
    ]


def late_batch():
    return [
        # the hotfix pull request, an overlapping incident and an explicit link arrive late
        pull_request(
            ORDERS,
            3,
            title="Fix null total",
            created=at(11, 13, 45),
            merged=at(11, 14),
            merge_sha="m3",
            shas=["o10"],
            branch="hotfix/null-total",
            service="orders",
            **ALPHA,
        ),
        incident(
            "I4", "orders", at(11, 17), resolved=at(11, 19, 30), severity="medium", env="production", **ALPHA
        ),
        incident(
            "I2", "search", at(12, 10), resolved=at(12, 12), severity="critical", linked=["gha:E2"], **BETA
        ),
        push(SEARCH, [("s1", at(5, 22)), ("s2", at(6, 1))], at(6, 1, 10)),
        # duplicates and stale updates
        redelivered(payments("P1", at(16, 16), "p2"), "P1"),
        payments("P1", at(16, 16), "p2"),
        incident("I1", "orders", at(4, 18), seq=1, env="production", **ALPHA),  # stale: opened after resolved
        orders("O4", at(5, 16), "o7", status="in_progress"),  # a late start never undoes the finish
        redelivered(push(ORDERS, [("o4", at(4, 8)), ("o5", at(4, 9))], at(4, 10)), "o4o5"),
    ]


async def test_dora_figures_follow_the_definitions(servers, namespace):
    settings = ingest_settings(
        servers,
        namespace,
        metrics_time_zone="America/New_York",
        metrics_min_sample=3,
        metrics_attribution_window_h=24.0,
    )
    span = {"from": "2026-03-02", "to": "2026-03-23"}
    async with live_service(create_service(settings), settings) as svc:
        for subject, event in first_batch():
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        for subject, event in late_batch():
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        async with svc.client() as http:
            r = await http.get("/v1/metrics/dora", params=span)
            assert r.status_code == 200, r.text
            org = r.json()
            alpha = (await http.get("/v1/metrics/dora", params={**span, "team": "alpha"})).json()
            beta = (await http.get("/v1/metrics/dora", params={**span, "team": "beta"})).json()
            pay = (
                await http.get("/v1/metrics/dora", params={**span, "service": "payments", "env": "prod-us"})
            ).json()
            dst_days = (
                await http.get(
                    "/v1/metrics/dora",
                    params={"service": "search", "bucket": "day", "from": "2026-03-08", "to": "2026-03-10"},
                )
            ).json()
        via_nats = await svc.ctx.rpc.call(
            "rpc.metrics.dora",
            DoraQuery(start=datetime(2026, 3, 2, 5, tzinfo=UTC), end=datetime(2026, 3, 23, 4, tzinfo=UTC)),
            dict,
        )

    w1, w2, w3 = org["buckets"]
    assert (w1["start"], w1["end"]) == ("2026-03-02T05:00:00+00:00", "2026-03-09T04:00:00+00:00")
    assert (w3["start"], w3["end"]) == ("2026-03-16T04:00:00+00:00", "2026-03-23T04:00:00+00:00")

    # Deployment frequency: production successes only, in local days.
    freq = [
        (b["deployment_frequency"]["count"], b["deployment_frequency"]["days_with_deployment"])
        for b in (w1, w2, w3)
    ]
    assert freq == [(7, 5), (6, 4), (4, 3)]
    assert set(w1["deployment_frequency"]["deployment_ids"]) == {
        f"gha:{k}" for k in "O1 O2 O3 O4 O5 O6 E1".split()
    }
    s = org["summary"]
    assert (s["deployment_frequency"]["count"], s["deployment_frequency"]["days_with_deployment"]) == (17, 12)

    # Lead time per week and over the range.
    lead = [(b["lead_time"]["median_s"], b["lead_time"]["p90_s"], b["lead_time"]["n"]) for b in (w1, w2, w3)]
    assert lead == [
        (21600, pytest.approx(250380), 12),
        (6000, pytest.approx(16200), 6),
        (10800, pytest.approx(10800), 3),
    ]
    assert (s["lead_time"]["median_s"], s["lead_time"]["p90_s"], s["lead_time"]["n"]) == (14400, 90000, 21)
    assert set(s["lead_time"]["commit_ids"]) == {
        *"o1 o2 m1 o3 m2 o4 o5 o6 o7 o8 o9 o10 m3 o11".split(),
        *"s1 s2 s3 s4".split(),
        *"p1 p2 p3".split(),
    }

    # Change failure rate.
    cfr = [(b["change_failure_rate"]["failed"], b["change_failure_rate"]["total"]) for b in (w1, w2, w3)]
    assert cfr == [(2, 7), (3, 6), (1, 4)]
    failed = set(s["change_failure_rate"]["deployment_ids"])
    assert failed == {f"gha:{k}" for k in "O2 O4 E2 O8 O9 P2".split()}
    assert (s["change_failure_rate"]["value"], s["change_failure_rate"]["pending"]) == (
        pytest.approx(6 / 17),
        0,
    )
    assert set(s["change_failure_rate"]["incident_ids"]) == {"I1", "I2", "I3", "I4", "I5"}

    # Failed deployment recovery time.
    assert (w2["recovery_time"]["median_s"], w2["recovery_time"]["p90_s"], w2["recovery_time"]["n"]) == (
        5400,
        pytest.approx(11160),
        3,
    )
    assert (w1["recovery_time"]["median_s"], w3["recovery_time"]["median_s"]) == (3600, 1800)
    assert (s["recovery_time"]["median_s"], s["recovery_time"]["p90_s"], s["recovery_time"]["n"]) == (
        3600,
        pytest.approx(9000),
        6,
    )
    assert s["recovery_time"]["unrecovered"] == 0

    # Rework: deployments that recovered a failed one, and the hotfix.
    assert set(s["rework_rate"]["deployment_ids"]) == {f"gha:{k}" for k in "O3 O5 O9 E3 P3".split()}
    assert s["rework_rate"]["value"] == pytest.approx(5 / 17)

    # Failed attempts: production only.
    att = s["deployment_attempts"]
    assert (att["total"], att["failed"], att["deployment_ids"]) == (18, 1, ["gha:EF"])

    # Incident time to resolve by severity (I1's stale "opened" update does not reopen it):
    # high I1 9000, I3 10800, I5 2700 -> median 9000, p90 at rank 1.8 = 9000 + 0.8 * 1800 = 10440.
    ttr = s["incident_time_to_resolve"]
    assert (ttr["high"]["median_s"], ttr["high"]["p90_s"], ttr["high"]["n"]) == (
        9000,
        pytest.approx(10440),
        3,
    )
    assert (ttr["critical"]["median_s"], ttr["medium"]["median_s"]) == (7200, 9000)

    # Teams.
    a = alpha["summary"]
    assert (a["change_failure_rate"]["failed"], a["change_failure_rate"]["total"]) == (5, 14)
    assert (a["lead_time"]["median_s"], a["lead_time"]["n"]) == (14400, 17)
    b = beta["summary"]
    assert (b["change_failure_rate"]["value"], b["lead_time"]["median_s"], b["lead_time"]["n"]) == (
        pytest.approx(1 / 3),
        138600,
        4,
    )
    assert b["rework_rate"]["value"] == pytest.approx(1 / 3)
    assert beta["buckets"][0]["change_failure_rate"]["value"] is None
    assert beta["buckets"][0]["change_failure_rate"]["reason"].startswith("insufficient data")

    # Payments alone: P2 (no known commit) counts as a deployment with no lead time.
    p = pay["summary"]
    assert (p["deployment_frequency"]["count"], p["lead_time"]["n"], p["lead_time"]["median_s"]) == (
        4,
        3,
        10800,
    )
    assert (p["recovery_time"]["median_s"], p["rework_rate"]["deployment_ids"]) == (1800, ["gha:P3"])

    # The DST day: Sun Mar 8 in New York lasts 23 h; E1 (23:30 EDT) is on it, E2 (00:30 EDT) on Mar 9.
    d8, d9 = dst_days["buckets"]
    assert (d8["start"], d8["end"]) == ("2026-03-08T05:00:00+00:00", "2026-03-09T04:00:00+00:00")
    assert [d8["deployment_frequency"]["deployment_ids"], d9["deployment_frequency"]["deployment_ids"]] == [
        ["gha:E1"],
        ["gha:E2"],
    ]

    assert via_nats["summary"] == s


CART, LEDGER, NOTES = "acme/cart", "acme/ledger", "acme/notes"


def at_april(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=UTC)


def second_scenario(now: datetime):
    """Weeks in UTC (Mon Mar 30, Mon Apr 6); derived by hand:

    ledger (team beta, production, by sha): l0 Apr 3 09:00, L0 Apr 3 10:00 (first, lead 3600);
      l1 Apr 6 08:00, L1 Apr 6 10:00 (lead 7200); L2 Apr 6 12:00 redeploys l0 (rollback of L1).
      I7 (late) linked to L1, opened 11:00, resolved 13:00: the link outranks the rollback, so L1's
      recovery runs from the incident's start: 11:00 -> min(13:00, L2 12:00) = 3600 (7200 before the
      link arrived, as a rollback from L1's finish). L2 is rework.
      l2 Apr 7 08:00, L3 Apr 7 10:00: range after l0 holds l1 (already deployed by L1) and l2: 7200.
      I8 (no environment) opened Apr 7 15:00, never resolved, in L3's window: L3 failed, unrecovered.
    cart (team alpha), two production timelines:
      c1 Apr 6 08:00, c2 09:00. EU1 prod-eu Apr 6 12:00 sha c2 (first): c1 14400, c2 10800;
      I9 (prod-eu) opened 12:30, resolved 13:30 -> EU1 failed, recovery 3600; it does not touch US1.
      US1 prod-us Apr 6 14:00 sha c2 (first of prod-us): success.
      c3 Apr 8 09:00, US2 prod-us Apr 8 10:00 (lead 3600); I11 (prod-us) opened 11:00, resolved 12:30;
      c4 11:30, US3 12:00 "hotfix: retry" (lead 1800): US2 failed (incident_window, first in order of
      evidence), recovered by US3 at 12:00 -> 11:00 -> 12:00 = 3600; US3 rework.
      I12 (prod-us) opened 12:15 in US3's window, resolved 14:00: the hotfix failed too, recovery 6300.
    notes (team beta): n1 now-3h, N1 now-2h: its window is open -> pending, not in the failure rate.

    Week Apr 6: L1 L2 L3 EU1 US1 US2 US3 = 7 on 3 days; failed L1 L3 EU1 US2 US3 = 5/7;
      recovery [3600 x3, 6300], unrecovered 1: median 3600, p90 at rank 2.7 = 3600 + 0.7 * 2700 = 5490;
      rework L2 US3 = 2/7. Week Mar 30: L0 alone, 1 closed < 2 -> null.
    """
    beta, alpha = {"team": "beta"}, {"team": "alpha"}
    first = [
        push(LEDGER, [("l0", at_april(3, 9))], at_april(3, 9, 5)),
        deployment("L0", "ledger", at_april(3, 10), sha="l0", **beta),
        push(LEDGER, [("l1", at_april(6, 8))], at_april(6, 8, 5)),
        deployment("L1", "ledger", at_april(6, 10), sha="l1", **beta),
        deployment("L2", "ledger", at_april(6, 12), sha="l0", **beta),
        push(LEDGER, [("l2", at_april(7, 8))], at_april(7, 8, 5)),
        deployment("L3", "ledger", at_april(7, 10), sha="l2", **beta),
        incident("I8", "ledger", at_april(7, 15), **beta),
        push(CART, [("c1", at_april(6, 8)), ("c2", at_april(6, 9))], at_april(6, 9, 5)),
        deployment("EU1", "cart", at_april(6, 12), sha="c2", env="prod-eu", **alpha),
        incident("I9", "cart", at_april(6, 12, 30), resolved=at_april(6, 13, 30), env="prod-eu", **alpha),
        deployment("US1", "cart", at_april(6, 14), sha="c2", env="prod-us", **alpha),
        push(CART, [("c3", at_april(8, 9))], at_april(8, 9, 5)),
        deployment("US2", "cart", at_april(8, 10), sha="c3", env="prod-us", **alpha),
        incident("I11", "cart", at_april(8, 11), resolved=at_april(8, 12, 30), env="prod-us", **alpha),
        push(CART, [("c4", at_april(8, 11, 30))], at_april(8, 11, 35)),
        deployment(
            "US3", "cart", at_april(8, 12), sha="c4", env="prod-us", description="hotfix: retry", **alpha
        ),
        incident("I12", "cart", at_april(8, 12, 15), resolved=at_april(8, 14), env="prod-us", **alpha),
        push(NOTES, [("n1", now - timedelta(hours=3))], now - timedelta(hours=3)),
        deployment("N1", "notes", now - timedelta(hours=2), sha="n1", **beta),
    ]
    late = [incident("I7", "ledger", at_april(6, 11), resolved=at_april(6, 13), linked=["gha:L1"], **beta)]
    return first, late


def recovery_of(body: dict) -> tuple:
    r = body["summary"]["recovery_time"]
    return r["median_s"], r["p90_s"], r["n"], r["unrecovered"]


async def test_reclassification_unrecovered_pending_and_environments(servers, namespace):
    settings = ingest_settings(servers, namespace, metrics_min_sample=2, metrics_attribution_window_h=24.0)
    now = datetime.now(UTC).replace(microsecond=0)
    first, late = second_scenario(now)
    span = {"from": "2026-03-30", "to": "2026-04-13"}
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for subject, event in first:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        ledger_before = (await http.get("/v1/metrics/dora", params={**span, "service": "ledger"})).json()
        for subject, event in late:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        org = (await http.get("/v1/metrics/dora", params=span)).json()
        ledger = (await http.get("/v1/metrics/dora", params={**span, "service": "ledger"})).json()
        us = (await http.get("/v1/metrics/dora", params={**span, "service": "cart", "env": "prod-us"})).json()
        notes = (await http.get("/v1/metrics/dora", params={"service": "notes"})).json()

    # Before the link, L1 failed by rollback (10:00 -> 12:00); after it, by the incident (11:00 -> 12:00).
    assert recovery_of(ledger_before)[:3] == (7200, 7200, 1)
    assert recovery_of(ledger) == (3600, 3600, 1, 1)
    assert (ledger["summary"]["lead_time"]["median_s"], ledger["summary"]["lead_time"]["n"]) == (7200, 3)

    early, week = org["buckets"]
    assert early["change_failure_rate"]["value"] is None
    assert early["deployment_frequency"]["count"] == 1
    cfr = week["change_failure_rate"]
    assert (cfr["failed"], cfr["total"]) == (5, 7)
    assert set(cfr["deployment_ids"]) == {f"gha:{k}" for k in "L1 L3 EU1 US2 US3".split()}
    assert set(cfr["incident_ids"]) == {"I7", "I8", "I9", "I11", "I12"}
    rec = week["recovery_time"]
    assert (rec["median_s"], rec["p90_s"], rec["n"], rec["unrecovered"]) == (3600, pytest.approx(5490), 4, 1)
    assert set(week["rework_rate"]["deployment_ids"]) == {"gha:L2", "gha:US3"}
    assert week["deployment_frequency"]["days_with_deployment"] == 3

    # prod-us alone: US2 and US3 failed of US1 US2 US3; the prod-eu incident does not reach US1.
    assert (
        us["summary"]["change_failure_rate"]["failed"],
        us["summary"]["change_failure_rate"]["total"],
    ) == (2, 3)
    assert recovery_of(us) == (pytest.approx(4950), pytest.approx(6030), 2, 0)

    # A deployment whose window is still open is pending: counted as a deployment, not in the rate.
    n = notes["summary"]
    assert n["deployment_frequency"]["count"] == 1
    assert (n["change_failure_rate"]["pending_ids"], n["change_failure_rate"]["value"]) == (["gha:N1"], None)
    assert (n["lead_time"]["median_s"], n["lead_time"]["n"]) == (3600, 1)


async def test_roll_forward_after_a_rollback_is_not_a_failure_of_the_rollback(servers, namespace):
    """gateway (production, by sha), UTC; derived by hand:

    g1 Apr 6 08:00, G1 09:00 (first, lead 3600); g2 10:00, G2 11:00 (lead 3600);
    G3 11:30 redeploys g1, first deployed before G2's g2 -> G2 failed (rollback), recovery 1800, G3 rework.
    G4 15:00 redeploys g2 once the cause is fixed out of band: g2 is NEWER than G3's g1 (first deployed
    at 11:00 vs 09:00), so G4 rolls forward, not back: G3, the remediation, did not fail, and G4 (no new
    commit: g2 was first deployed by G2) is no rework. Failed 1 of 4; recovery [1800]; rework [G3].
    """
    settings = ingest_settings(servers, namespace, metrics_min_sample=2)
    gateway = "acme/gateway"
    events = [
        push(gateway, [("g1", at_april(6, 8))], at_april(6, 8, 5)),
        deployment("G1", "gateway", at_april(6, 9), sha="g1", team="alpha"),
        push(gateway, [("g2", at_april(6, 10))], at_april(6, 10, 5)),
        deployment("G4", "gateway", at_april(6, 15), sha="g2", team="alpha"),
        deployment("G2", "gateway", at_april(6, 11), sha="g2", team="alpha"),
        deployment("G3", "gateway", at_april(6, 11, 30), sha="g1", team="alpha"),
    ]
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for subject, event in events:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        body = (
            await http.get(
                "/v1/metrics/dora", params={"service": "gateway", "from": "2026-04-06", "to": "2026-04-13"}
            )
        ).json()
    s = body["summary"]
    assert (s["deployment_frequency"]["count"], s["lead_time"]["n"], s["lead_time"]["median_s"]) == (
        4,
        2,
        3600,
    )
    assert s["change_failure_rate"]["deployment_ids"] == ["gha:G2"]
    assert s["change_failure_rate"]["value"] == 0.25
    assert (s["recovery_time"]["median_s"], s["recovery_time"]["n"]) == (1800, 1)
    assert s["rework_rate"]["deployment_ids"] == ["gha:G3"]
