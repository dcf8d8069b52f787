"""Delivery figures asked in plain words (2026-11-28, third held-out round): the change failure rate
as "deploys that went wrong", throughput and WIP in the tracker's words, a figure that "went down",
and a key result quoted after "KR:". The phrasings are not in bench/agent's question files."""

from __future__ import annotations

import pytest
from agent_svc.domain.routing import classify


@pytest.mark.parametrize(
    "question",
    [
        "what share of our releases had to be rolled back in october",
        "number of changes that failed in prod this sprint",
        "when did we last ship to production",
        "stories completed per sprint for the web team",
        "how many cards are sitting in progress on the ios board",
        "ticket age on the data team's board",
        "how is our team doing in delivery lately",
        "engineering health for the identity group",
    ],
)
def test_delivery_figures_in_plain_words_go_to_metrics(question):
    route = classify(question)
    assert route.agents == ("metrics",) and route.matched


@pytest.mark.parametrize(
    "question",
    ["deploy frequency for ledger went down after the freeze", "code coverage of the auth module is down"],
)
def test_a_figure_going_down_is_a_trend_not_an_outage(question):
    route = classify(question)
    assert route.agents == ("metrics",) and route.scores["incident"] < 2


@pytest.mark.parametrize(
    "question", ["the ledger api went down at noon", "is the delivery service down?", "search is down again"]
)
def test_a_service_going_down_is_still_an_incident(question):
    assert classify(question).agents == ("incident",)


def test_postmortem_action_items_done_stay_with_the_incident_agent():
    assert classify("are the action items from the sev2 postmortem done").agents == ("incident",)


def test_a_key_result_quoted_after_a_colon_is_the_goal_not_a_separate_metrics_ask():
    assert classify("KR 3: raise deploy frequency to daily, how close are we").agents == ("okr",)
    both = classify("objective status; also change failure rate by team")
    assert sorted(both.agents) == ["metrics", "okr"]
