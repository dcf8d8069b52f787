"""Two general routing behaviours: a recovery metric scoped to incidents is a metrics question, and a
request to rework text (translate, proofread) is out of scope whatever the text mentions. The phrasings
are not in bench/agent's question files."""

from __future__ import annotations

import pytest
from agent_svc.domain.followup import resolve
from agent_svc.domain.routing import classify


@pytest.mark.parametrize(
    "question",
    [
        "median time to recover from p1 outages, by team",
        "what was the MTTR across the storage team's sev0 incidents in h2",
        "incident resolution time over the last 6 months",
        "p2 mttr vs p1 mttr",
    ],
)
def test_recovery_metric_measured_over_incidents_goes_to_metrics_alone(question):
    route = classify(question)
    assert route.agents == ("metrics",) and route.matched


def test_incidents_asked_for_in_another_part_still_reach_the_incident_agent():
    route = classify("time to restore for sev1 outages; plus which sev1s are open right now")
    assert sorted(route.agents) == ["incident", "metrics"]
    # "given the outages" is context for a goal, not the metric's scope
    goal = classify("is the recovery time target still realistic given the outages in march")
    assert "incident" in goal.agents and "okr" in goal.agents


@pytest.mark.parametrize(
    "message",
    [
        "pls translate into spanish: two sev1 incidents were resolved",
        "could you proofread this: deployment frequency doubled in Q2",
        "rephrase for execs - the PR backlog is shrinking",
        "fix the grammar in: our okrs is on track",
    ],
)
def test_text_rework_requests_route_nowhere_and_end_a_follow_up(message):
    route = classify(message)
    assert route.agents == () and route.matched and not route.small_talk
    after = resolve(message, "stale PRs for the api repo", {}, ("review",))
    assert after.agents == ()


def test_translate_inside_a_real_question_is_not_a_text_task():
    route = classify("how do alert storms translate into incidents for the payments team")
    assert route.agents == ("incident",)


@pytest.mark.parametrize(
    "question",
    ["what's our rework rate this quarter", "deployment rework for the payments team in may"],
)
def test_rework_rate_is_a_metrics_question(question):
    # The metrics module reports rework rate beside the four DORA keys (docs/metrics.md).
    assert classify(question).agents == ("metrics",)


def test_reworking_text_is_not_rework_rate():
    assert "metrics" not in classify("can you rework this paragraph for the newsletter").agents
