"""Pure DORA maths: buckets across DST, percentiles, levels, rules, classification, figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from ingest_svc.metrics.domain import figures as fig
from ingest_svc.metrics.domain import levels
from ingest_svc.metrics.domain.buckets import bucket_bounds, bucket_days, local_day, zone
from ingest_svc.metrics.domain.facts import BranchCommit, DeploymentFact, IncidentFact, RevertFact
from ingest_svc.metrics.domain.query import QueryError, parse_filters
from ingest_svc.metrics.domain.rules import Rules, normalize_ref, reverted_pr_numbers, reverted_shas
from ingest_svc.metrics.domain.stats import median_p90, percentile
from ingest_svc.metrics.domain.timeline import Context, classify, commit_ranges

PARIS = zone("Europe/Paris")
H = timedelta(hours=1)
T = datetime(2026, 3, 2, 10, tzinfo=UTC)


def dep(key: str, at: datetime, **kw) -> DeploymentFact:
    kw.setdefault("status", "success")
    return DeploymentFact(key=key, service="api", environment="production", finished_at=at, **kw)


def run(deps, *, incidents=(), reverts=(), ranges=None, now=T + 1000 * H, starts=None, already=frozenset()):
    return {
        o.key: o
        for o in classify(
            deps,
            context=Context(),
            ranges=ranges or {},
            already_deployed=already,
            commit_started=starts or {},
            incidents=list(incidents),
            reverts=list(reverts),
            window=24 * H,
            now=now,
        )
    }


# Buckets ------------------------------------------------------------------------------------------


def test_local_day_follows_the_time_zone_at_midnight():
    assert local_day(datetime(2026, 3, 23, 22, 30, tzinfo=UTC), PARIS) == date(2026, 3, 23)  # 23:30 CET
    assert local_day(datetime(2026, 3, 23, 23, 30, tzinfo=UTC), PARIS) == date(2026, 3, 24)  # 00:30 CET


def test_dst_day_is_23_hours_and_the_week_ends_at_local_monday_midnight():
    start, end = bucket_bounds(date(2026, 3, 29), "day", PARIS)
    assert end - start == timedelta(hours=23)
    start, end = bucket_bounds(date(2026, 3, 25), "week", PARIS)
    assert (start, end) == (datetime(2026, 3, 22, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))
    start, end = bucket_bounds(date(2026, 10, 25), "day", PARIS)  # autumn: 25 hours
    assert end - start == timedelta(hours=25)


def test_month_and_week_buckets_cover_the_range():
    assert bucket_days(date(2026, 1, 15), date(2026, 3, 2), "month") == [
        (date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 3, 1)),
        (date(2026, 3, 1), date(2026, 4, 1)),
    ]
    assert bucket_days(date(2026, 3, 25), date(2026, 3, 31), "week")[0][0] == date(2026, 3, 23)


# Percentiles and levels ------------------------------------------------------------------------------


def test_percentiles_interpolate_linearly_and_empty_is_none():
    assert median_p90([1, 2, 3, 4]) == (2.5, pytest.approx(3.7))
    assert percentile([5], 0.9) == 5
    assert median_p90([]) == (None, None)


@pytest.mark.parametrize(
    ("per_day", "level"),
    [
        (2, "elite"),
        (1, "elite"),
        (0.5, "high"),
        (1 / 7, "high"),
        (0.1, "medium"),
        (1 / 30, "medium"),
        (0.01, "low"),
        (None, None),
    ],
)
def test_deployment_frequency_levels(per_day, level):
    assert levels.deployment_frequency_level(per_day) == level


def test_levels_of_the_2024_report_and_overall_is_the_weakest():
    assert levels.lead_time_level(3600) == "elite"
    assert levels.lead_time_level(3 * 86400) == "high"
    assert levels.lead_time_level(10 * 86400) == "medium"
    assert levels.lead_time_level(40 * 86400) == "low"
    assert [levels.change_failure_level(v) for v in (0.05, 0.1, 0.2, 0.3, 0.4)] == [
        "elite",
        "high",
        "high",
        "medium",
        "low",
    ]
    assert [levels.recovery_level(v) for v in (1800, 7200, 3 * 86400, 10 * 86400)] == [
        "elite",
        "high",
        "medium",
        "low",
    ]
    assert levels.overall_level(["elite", None, "medium", "high"]) == "medium"
    assert levels.overall_level([None, None]) is None


# Rules ------------------------------------------------------------------------------------------------


def test_rules_classify_environments_and_hotfixes():
    rules = Rules.from_csv("prod,production,live,prod[-_].*", r"hotfix,\bemergency\b")
    assert [
        rules.is_production(e) for e in ("prod", "PRODUCTION", "prod-eu", "staging", "preprod", None)
    ] == [True, True, True, False, False, False]
    assert rules.is_hotfix(["release/1.2", "Hotfix: checkout"])
    assert rules.is_hotfix(["EMERGENCY release"])
    assert not rules.is_hotfix(["feature/emergencies-page", None])
    assert normalize_ref("refs/heads/main") == "main"
    assert reverted_shas('Revert "x"\n\nThis reverts commit 0a1b2c3d4e.') == ["0a1b2c3d4e"]
    assert reverted_pr_numbers("Reverts acme/api#42") == [42]


# Classification ---------------------------------------------------------------------------------------


def test_commit_ranges_from_pushes_span_deployments_and_rollbacks_deploy_nothing_new():
    seq = [BranchCommit(s, T - 5 * H + i * H) for i, s in enumerate(["c1", "c2", "c3", "c4"])]
    deps = [
        dep("d1", T, sha="c2", repository="r", ref="main"),
        dep("d2", T + H, sha="c4", repository="r", ref="main"),
        dep("d3", T + 2 * H, sha="c2", repository="r", ref="main"),
        dep("d4", T + 3 * H, sha="c9", repository="r", ref="main", commit_range=("x1", "x2")),
    ]
    ranges = commit_ranges(deps, Context(), {("r", "main"): seq}, 168 * H)
    assert ranges == {"d1": ("c1", "c2"), "d2": ("c3", "c4"), "d3": (), "d4": ("x1", "x2")}


def test_lead_time_counts_a_commit_once_at_its_first_deployment():
    out = run(
        [dep("d1", T), dep("d2", T + H)],
        ranges={"d1": ("c1",), "d2": ("c1", "c2")},
        starts={"c1": T - 2 * H, "c2": T - H},
        already=frozenset({"c0"}),
    )
    assert out["d1"].leads == (("c1", 7200.0),)
    assert out["d2"].leads == (("c2", 7200.0),)


def test_incident_in_window_fails_the_latest_deployment_before_it_and_recovers_at_resolution():
    inc = IncidentFact(id="i1", service="api", opened_at=T + 3 * H, resolved_at=T + 4 * H)
    out = run([dep("d1", T), dep("d2", T + 2 * H), dep("d3", T + 10 * H)], incidents=[inc])
    assert (out["d1"].status, out["d2"].status, out["d3"].status) == ("success", "failed", "success")
    assert (out["d2"].cause, out["d2"].recovery_s, out["d2"].recovered_by) == (
        "incident_window",
        3600.0,
        None,
    )
    assert out["d3"].rework is None


def test_incident_after_the_window_or_after_the_next_deployment_is_not_attributed():
    late = IncidentFact(id="i1", service="api", opened_at=T + 25 * H)
    out = run([dep("d1", T)], incidents=[late])
    assert out["d1"].status == "success"
    after_next = IncidentFact(id="i2", service="api", opened_at=T + 2 * H)
    out = run([dep("d1", T), dep("d2", T + H)], incidents=[after_next])
    assert (out["d1"].status, out["d2"].status) == ("success", "failed")


def test_explicit_link_wins_and_next_deployment_recovers_before_resolution():
    inc = IncidentFact(
        id="i1", service="other", opened_at=T + H, resolved_at=T + 30 * H, linked_deployments=("gha:d1",)
    )
    out = run([dep("d1", T, aliases=("gha:d1",)), dep("d2", T + 5 * H)], incidents=[inc])
    assert (out["d1"].cause, out["d1"].incident_ids) == ("incident_linked", ("i1",))
    assert (out["d1"].recovery_s, out["d1"].recovered_by) == (4 * 3600.0, "d2")
    assert out["d2"].rework == "recovery"


def test_rollback_revert_and_hotfix_fail_a_deployment_once():
    rollback = run(
        [
            dep("d1", T, sha="a"),
            dep("d2", T + H, sha="b"),
            dep("d3", T + 2 * H, sha="a", version_first_deployed_at=T),
        ]
    )
    assert (rollback["d2"].cause, rollback["d2"].recovery_s) == ("rollback", 3600.0)
    assert rollback["d1"].status == "success"
    revert = run(
        [dep("d1", T), dep("d2", T + 5 * H)], ranges={"d1": ("c1",)}, reverts=[RevertFact("r", "c1", T + H)]
    )
    assert revert["d1"].cause == "revert"
    hotfix = run(
        [dep("d1", T), dep("d2", T + 2 * H, is_hotfix=True)],
        incidents=[IncidentFact(id="i", service="api", opened_at=T + H)],
    )
    assert (hotfix["d1"].cause, hotfix["d2"].rework) == ("incident_window", "hotfix")


def test_pending_until_the_window_closes_and_failed_attempts_are_not_deployments():
    now = T + 3 * H
    out = run([dep("d1", T), dep("d0", T - H, status="failure")], now=now)
    assert (out["d1"].status, out["d0"].status) == ("pending", "attempt_failed")
    assert out["d1"].window_end == T + 24 * H
    assert run([dep("d1", T)], now=T + 24 * H)["d1"].status == "success"


# Figures ----------------------------------------------------------------------------------------------


def test_figures_give_null_with_reason_below_the_minimum_sample():
    p = fig.partial(
        [
            fig.DeployRow("d1", "failed", recovery_s=60.0, incident_ids=("i1",)),
            fig.DeployRow("d2", "pending"),
            fig.DeployRow("d3", "attempt_failed"),
        ],
        [fig.IncidentRow("i1", "high", 600.0)],
        limit=10,
    )
    f = fig.figures(p, days=7, min_sample=2)
    assert f["change_failure_rate"]["value"] is None
    assert f["change_failure_rate"]["reason"].startswith("insufficient data: 1 closed")
    assert (f["change_failure_rate"]["failed"], f["change_failure_rate"]["pending"]) == (1, 1)
    assert f["lead_time"]["reason"] and f["lead_time"]["median_s"] is None
    assert f["deployment_attempts"]["failed"] == 1
    assert f["incident_time_to_resolve"] == {"high": {"median_s": 600.0, "p90_s": 600.0, "n": 1}}


def test_partials_merge_exactly_and_cap_ids():
    a = fig.partial([fig.DeployRow("d1", "success", leads=(("c1", 10.0),))], [], limit=1)
    b = fig.partial([fig.DeployRow("d2", "success", leads=(("c2", 30.0), ("c3", 20.0)))], [], limit=1)
    merged = fig.merge([a, b], limit=1)
    assert merged["deployments"] == 2 and sorted(merged["lead_s"]) == [10.0, 20.0, 30.0]
    assert merged["deployment_ids"] == ["d1"]
    assert fig.figures(merged, 2, 1)["lead_time"]["median_s"] == 20.0


def test_query_parameters_are_validated():
    kw = {
        "service": None,
        "team": None,
        "env": None,
        "repository": None,
        "tz": PARIS,
        "today": date(2026, 3, 30),
        "default_days": 90,
        "max_days": 400,
    }
    f = parse_filters(start="2026-03-25", end="2026-04-01", bucket="week", **kw)
    assert (f.first_day, f.last_day) == (date(2026, 3, 23), date(2026, 4, 6))
    for bad in (
        {"bucket": "year"},
        {"start": "yesterday"},
        {"start": "2026-04-01", "end": "2026-03-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        # Instants where day arithmetic would overflow Python's date (a 500 before): a clear 400.
        {"end": "9999-12-31"},
        {"end": "9999-12-31T23:59:59.999999+00:00"},
        {"end": datetime(1, 1, 1, tzinfo=UTC)},
        {"start": "0001-01-01", "end": "0001-02-01"},
    ):
        with pytest.raises(QueryError):
            parse_filters(**{"start": None, "end": None, "bucket": None, **bad}, **kw)
    with pytest.raises(QueryError):
        parse_filters(start=None, end=None, bucket=None, **{**kw, "service": "api; drop"})


def test_repositories_are_stored_and_filtered_in_lower_case() -> None:
    """`Acme/Checkout` (a hand-typed catalog entry or clone URL) and `acme/checkout` (the push) are one
    repository on GitHub and GitLab: the facts store one spelling, and the filter reads either."""
    from em_shared.contracts.changes import Commit, CommitsPushed
    from ingest_svc.metrics.domain.rows import push_rows, repository_key

    assert repository_key(" Acme/Checkout ") == "acme/checkout"
    assert repository_key(None) is None
    pushed = CommitsPushed(
        id="p1",
        occurred_at=datetime(2026, 3, 1, tzinfo=UTC),
        source="test",
        repository="Acme/Checkout",
        branch="main",
        after_sha="c1",
        commits=[Commit(sha="c1", committed_at=datetime(2026, 3, 1, tzinfo=UTC))],
    )
    branch_rows, commit_rows, _ = push_rows(pushed)
    assert {r["repository"] for r in branch_rows + commit_rows} == {"acme/checkout"}
    kw = {"service": None, "team": None, "env": None, "tz": PARIS, "today": date(2026, 3, 30)}
    f = parse_filters(
        repository="Acme/Checkout", start=None, end=None, bucket=None, default_days=90, max_days=400, **kw
    )
    assert f.repository == "acme/checkout"


def test_default_production_patterns_read_the_names_deploy_tools_give() -> None:
    from ingest_svc.metrics.domain.rules import Rules
    from ingest_svc.metrics.settings import MetricsSettings

    defaults = MetricsSettings.__struct_defaults__[
        MetricsSettings.__struct_fields__.index("metrics_production_patterns")
    ]
    rules = Rules.from_csv(defaults, "hotfix")
    production = ["production", "Production", "prod", "PRD", "live", "prod-eu", "production_us",
                  "Production \u2013 web-app", "prod (eu-west-1)", "production/eu"]  # fmt: skip
    other = [
        "staging",
        "preview",
        "Preview \u2013 web-app",
        "live-preview",
        "products",
        "prodigy",
        "dev",
        "",
        None,
    ]
    assert [e for e in production if not rules.is_production(e)] == []
    assert [e for e in other if rules.is_production(e)] == []


def test_a_pull_request_closed_reopened_then_merged_is_closed_by_its_merge() -> None:
    from ingest_svc.metrics.repository.facts import merge_pull_request

    def row(event_at: datetime, merged: datetime | None, closed: datetime | None) -> dict:
        return {"event_at": event_at, "event_id": str(event_at), "created_at": datetime(2026, 5, 1, tzinfo=UTC),
                "first_commit_at": None, "first_review_at": None, "merged_at": merged, "closed_at": closed,
                "commit_shas": [], "is_hotfix": False}  # fmt: skip

    closed = datetime(2026, 5, 2, tzinfo=UTC)
    merged = datetime(2026, 5, 5, tzinfo=UTC)
    first_close, merge = row(closed, None, closed), row(merged, merged, merged)
    for old, new in ((first_close, merge), (merge, first_close)):  # in either arrival order
        out = merge_pull_request(old, new)
        assert (out["merged_at"], out["closed_at"]) == (merged, merged)
    assert merge_pull_request(first_close, row(closed, None, closed))["closed_at"] == closed
