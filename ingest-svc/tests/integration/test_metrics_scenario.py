"""A hand-checked DORA scenario over real JetStream, PostgreSQL, HTTP and NATS.

Three services in two teams, Europe/Paris buckets (the week of 2026-03-23 ends at the DST change),
a 24 h attribution window and a minimum sample of 2. Every expected value is derived in comments.

api (team core, env production), commits pushed to acme/api main:
  a1 07:00, a2 07:30, a3 07:50 (pushed Mar 23 08:00); a4 Mar 25 06:00; a5 Mar 26 08:00; a6 Mar 29 19:30
  A1 Mar 23 10:00 sha a2  first deployment: a1, a2 (leads 3 h = 10800, 2.5 h = 9000)
  A2 Mar 24 12:00 sha a3  a3 (lead 28 h 10 m = 101400): the push spans A1 and A2
      I1 opened Mar 24 15:00 (before A3) -> A2 failed by window; resolved 16:30 -> recovery 5400
  A3 Mar 25 09:00 sha a4  a4 (lead 10800)
  A4 Mar 25 10:00 sha a3  redeploys a version first deployed before A3 -> A3 rolled back:
      failed at 09:00, recovered by A4 at 10:00 (3600); A4 is rework (recovery); no new commits
  A5 Mar 26 11:00 sha a5  a4 already deployed, a5 (lead 10800)
      I2 (late) linked explicitly to A5, opened Mar 28 09:00, resolved 11:00 -> failed, recovery 7200
  A6 Mar 29 22:30 UTC = Mar 30 00:30 CEST: the next week in Paris (still Mar 29 in UTC); a6 lead 10800
web (team front, env prod), commit ranges given by the source:
  W1 Mar 23 22:30 UTC (23:30 CET, Mar 23) w1 lead 7200
  W2 Mar 23 23:30 UTC (00:30 CET, Mar 24) hotfix, w2 lead 1800 -> W1 failed (hotfix), recovery 3600;
      W2 is rework (hotfix)
  W3 Mar 25 12:00 w3 lead 7200; I3 opened 14:00 -> failed by window; fix-forward W4 at 15:00 recovers
      it (3600) before I3 resolves at 18:00; W4 is rework (recovery); w4 lead 1800
  W5 Mar 26 10:00 failed attempt: not a deployment
billing (team core, env production):
  B1 Mar 24 09:00 b1 lead 3600; the revert of b1 (committed 11:00) -> failed (revert), recovered by
  B2 at 12:00 (10800); B2 is rework (recovery); b2 lead 3600
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.metrics import DoraQuery
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from metrics_testkit import deployment, incident, ingest_settings, push, settle

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def first_batch():
    api, web, billing = "acme/api", "acme/web", "acme/billing"
    core = {"team": "core"}
    return [
        deployment("A4", "api", at(25, 10), sha="a3", **core),  # out of order: the rollback before A3
        deployment("A1", "api", at(23, 10), sha="a2", **core),
        deployment("A2", "api", at(24, 12), sha="a3", **core),
        deployment("A3", "api", at(25, 9), sha="a4", **core),
        deployment("A5", "api", at(26, 11), sha="a5", **core),
        # the pushes arrive after the deployments that contain them
        push(api, [("a1", at(23, 7)), ("a2", at(23, 7, 30)), ("a3", at(23, 7, 50))], at(23, 8)),
        push(api, [("a4", at(25, 6))], at(25, 8)),
        push(api, [("a5", at(26, 8))], at(26, 8, 30)),
        incident("I1", "api", at(24, 15), resolved=at(24, 16, 30), severity="high", team="core"),
        push(
            web,
            [("w1", at(23, 20, 30)), ("w2", at(23, 23)), ("w3", at(25, 10)), ("w4", at(25, 14, 30))],
            at(25, 14, 40),
        ),
        deployment("W1", "web", at(23, 22, 30), env="prod", team="front", commit_range=["w1"]),
        deployment(
            "W2",
            "web",
            at(23, 23, 30),
            env="prod",
            team="front",
            commit_range=["w2"],
            description="hotfix: null pointer in checkout",
        ),
        deployment("W3", "web", at(25, 12), env="prod", team="front", commit_range=["w3"]),
        incident("I3", "web", at(25, 14), severity="medium", team="front", env="prod"),
        deployment("W4", "web", at(25, 15), env="prod", team="front", commit_range=["w4"]),
        incident(
            "I3", "web", at(25, 14), resolved=at(25, 18), seq=2, severity="medium", team="front", env="prod"
        ),
        deployment("W5", "web", at(26, 10), env="prod", team="front", status="failure", commit_range=["w5"]),
        deployment("B1", "billing", at(24, 9), commit_range=["b1"], **core),
        push(
            billing,
            [("b1", at(24, 8)), ("b2", at(24, 11))],
            at(24, 11, 5),
            messages={"b2": 'Revert "charge twice"\n\nThis reverts commit b1.'},
        ),
        deployment("B2", "billing", at(24, 12), commit_range=["b2"], **core),
    ]


def late_batch():
    subject, a2 = deployment("A2", "api", at(24, 12), sha="a3", team="core")
    return [
        # a late explicit link, a deployment a week later, and duplicates of every kind
        incident(
            "I2", "api", at(28, 9), resolved=at(28, 11), severity="critical", team="core", linked=["gha:A5"]
        ),
        push("acme/api", [("a6", at(29, 19, 30))], at(29, 20)),
        deployment("A6", "api", at(29, 22, 30), sha="a6", team="core"),
        (subject, a2),  # same event id: JetStream drops it
        (
            subject,
            a2.__class__(
                **{
                    **{f: getattr(a2, f) for f in a2.__struct_fields__},
                    "id": deterministic_id("second delivery of A2"),
                }
            ),
        ),  # new id, same fact
        incident("I3", "web", at(25, 14), severity="medium", team="front", env="prod"),  # stale sequence
        deployment(
            "W3", "web", at(25, 12), env="prod", team="front", commit_range=["w3"], status="in_progress"
        ),  # a late 'started' never undoes a finish
    ]


def ids(prefix: str, *names: str) -> set[str]:
    return {f"{prefix}{n}" for n in names}


async def test_hand_checked_scenario_over_http_and_nats(servers, namespace):
    settings = ingest_settings(
        servers,
        namespace,
        metrics_time_zone="Europe/Paris",
        metrics_min_sample=2,
        metrics_attribution_window_h=24.0,
    )
    async with live_service(create_service(settings), settings) as svc:
        for subject, event in first_batch():
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        async with svc.client() as http:
            before = (
                await http.get("/v1/metrics/dora", params={"from": "2026-03-23", "to": "2026-04-06"})
            ).json()
            # before the late link, A5 is a success: 5 failures of 11 in the first week
            assert before["buckets"][0]["change_failure_rate"]["failed"] == 5
            for subject, event in late_batch():
                await svc.ctx.publisher.publish(subject, event)
            await settle(svc)
            r = await http.get(
                "/v1/metrics/dora", params={"from": "2026-03-23", "to": "2026-04-06", "bucket": "week"}
            )
            assert r.status_code == 200, r.text
            org = r.json()
            team = (
                await http.get(
                    "/v1/metrics/dora", params={"team": "core", "from": "2026-03-23", "to": "2026-04-06"}
                )
            ).json()
            web_days = (
                await http.get(
                    "/v1/metrics/dora",
                    params={
                        "service": "web",
                        "env": "prod",
                        "bucket": "day",
                        "from": "2026-03-23",
                        "to": "2026-03-25",
                    },
                )
            ).json()
            combo = (
                await http.get(
                    "/v1/metrics/dora",
                    params={"service": "api", "team": "core", "from": "2026-03-23", "to": "2026-04-06"},
                )
            ).json()
        via_nats = await svc.ctx.rpc.call(
            "rpc.metrics.dora",
            DoraQuery(start=datetime(2026, 3, 22, 23, tzinfo=UTC), end=datetime(2026, 4, 5, 22, tzinfo=UTC)),
            dict,
        )

    # Buckets are Paris weeks: Mon Mar 23 00:00 CET = 23:00 UTC; Mon Mar 30 00:00 CEST = 22:00 UTC.
    w1, w2 = org["buckets"]
    assert (w1["start"], w1["end"]) == ("2026-03-22T23:00:00+00:00", "2026-03-29T22:00:00+00:00")
    assert (w2["start"], w2["end"]) == ("2026-03-29T22:00:00+00:00", "2026-04-05T22:00:00+00:00")

    # Deployment frequency: 11 in week 1 on Mar 23, 24, 25, 26 (W2 is on Mar 24 in Paris); A6 in week 2.
    assert w1["deployment_frequency"]["count"] == 11
    assert w1["deployment_frequency"]["days_with_deployment"] == 4
    assert w1["deployment_frequency"]["share_of_days"] == pytest.approx(4 / 7)
    assert w2["deployment_frequency"]["count"] == 1
    assert set(w2["deployment_frequency"]["deployment_ids"]) == {"gha:A6"}
    s = org["summary"]
    assert s["deployment_frequency"]["count"] == 12
    assert s["deployment_frequency"]["share_of_days"] == pytest.approx(5 / 14)

    # Change failure rate: A2, A3, A5, W1, W3, B1 failed; week 2 has 1 closed deployment < 2 -> null.
    assert w1["change_failure_rate"] | {} == w1["change_failure_rate"]
    assert (
        w1["change_failure_rate"]["value"],
        w1["change_failure_rate"]["failed"],
        w1["change_failure_rate"]["total"],
    ) == (pytest.approx(6 / 11), 6, 11)
    assert set(w1["change_failure_rate"]["deployment_ids"]) == ids("gha:", "A2", "A3", "A5", "W1", "W3", "B1")
    assert set(w1["change_failure_rate"]["incident_ids"]) == {"I1", "I2", "I3"}
    assert w2["change_failure_rate"]["value"] is None
    assert w2["change_failure_rate"]["reason"].startswith("insufficient data")
    assert (
        s["change_failure_rate"]["value"],
        s["change_failure_rate"]["failed"],
        s["change_failure_rate"]["total"],
        s["change_failure_rate"]["pending"],
    ) == (0.5, 6, 12, 0)

    # Lead time, week 1: [1800, 1800, 3600, 3600, 7200, 7200, 9000, 10800 x3, 101400] -> median 7200,
    # p90 at rank 9 = 10800. Summary adds a6 (10800): median (7200 + 9000) / 2 = 8100, p90 10800.
    assert (w1["lead_time"]["median_s"], w1["lead_time"]["p90_s"], w1["lead_time"]["n"]) == (7200, 10800, 11)
    assert (s["lead_time"]["median_s"], s["lead_time"]["p90_s"], s["lead_time"]["n"]) == (8100, 10800, 12)
    assert set(s["lead_time"]["commit_ids"]) == {
        "a1",
        "a2",
        "a3",
        "a4",
        "a5",
        "a6",
        "w1",
        "w2",
        "w3",
        "w4",
        "b1",
        "b2",
    }

    # Recovery: [3600 (A3), 3600 (W1), 3600 (W3), 5400 (A2), 7200 (A5), 10800 (B1)]
    # -> median (3600 + 5400) / 2 = 4500; p90 at rank 4.5 = 7200 + 0.5 * 3600 = 9000.
    assert (s["recovery_time"]["median_s"], s["recovery_time"]["p90_s"], s["recovery_time"]["n"]) == (
        4500,
        9000,
        6,
    )
    assert w2["recovery_time"]["median_s"] is None and w2["recovery_time"]["reason"]

    # Rework: W2 (hotfix), A4, W4, B2 (recoveries) = 4 of 12.
    assert (s["rework_rate"]["value"], s["rework_rate"]["rework"]) == (pytest.approx(4 / 12), 4)
    assert set(s["rework_rate"]["deployment_ids"]) == ids("gha:", "W2", "A4", "W4", "B2")

    # Failed attempts (W5) are counted apart; incident time to resolve by severity.
    assert s["deployment_attempts"] == {
        "total": 13,
        "failed": 1,
        "failure_rate": pytest.approx(1 / 13),
        "deployment_ids": ["gha:W5"],
    }
    assert s["incident_time_to_resolve"] == {
        "critical": {"median_s": 7200, "p90_s": 7200, "n": 1},
        "high": {"median_s": 5400, "p90_s": 5400, "n": 1},
        "medium": {"median_s": 14400, "p90_s": 14400, "n": 1},
    }
    # Levels (DORA 2024): 12 / 14 per day -> high; lead 8100 s -> elite; CFR 50 % -> low; 4500 s -> high.
    assert s["levels"] == {
        "deployment_frequency": "high",
        "lead_time": "elite",
        "change_failure_rate": "low",
        "recovery_time": "high",
        "overall": "low",
        "model": "dora-2024",
    }

    # Team core = api + billing: A2, A3, A5, B1 failed of 8; rework A4, B2.
    ts = team["summary"]
    assert (ts["change_failure_rate"]["failed"], ts["change_failure_rate"]["total"]) == (4, 8)
    assert ts["rework_rate"]["value"] == 0.25
    # service=api & team=core is computed on the fly: 3 of 6 failed; leads 9000, 10800 x4, 101400.
    cs = combo["summary"]
    assert (cs["change_failure_rate"]["value"], cs["lead_time"]["median_s"], cs["lead_time"]["n"]) == (
        0.5,
        10800,
        6,
    )

    # Midnight in Paris: W1 (23:30 CET) on Mar 23, W2 (00:30 CET) on Mar 24, though both are Mar 23 in UTC.
    assert [b["deployment_frequency"]["deployment_ids"] for b in web_days["buckets"]] == [
        ["gha:W1"],
        ["gha:W2"],
    ]

    # NATS answers the same figures as HTTP.
    assert via_nats["summary"] == org["summary"]
    assert via_nats["buckets"] == org["buckets"]
