"""The offline router: chat-text normalisation, routing rules, small talk, multi-label choice and
follow-ups. The phrasings here are not in bench/agent's question files; those are scored there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_svc.domain.followup import resolve
from agent_svc.domain.routing import classify, is_small_talk
from agent_svc.domain.textnorm import PROTECTED, VOCABULARY, correct, edit_distance, normalise

HELD_OUT = Path(__file__).parents[3] / "bench" / "agent" / "routing_heldout.json"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("CFR vs last qtr", "change failure rate vs last quarter"),
        ("any sev2s or P1s? sev high", "any sev2 or p1? severity high"),
        ("503s on the edge", "503 on the edge"),
        ("KR3 status", "kr 3 status"),
        ("details of inc #77", "details of inc-77"),
        ("<@U024BE7LH> :fire: is <https://status.example.com|status> red", "is red"),
        ("“deploy freq” — payments", '"deploy frequency" - payments'),
        ("pull reqs rn", "pull requests right now"),
        ("<https://git.example.com/web/pull/31|#31> ok?", "pull request 31 ok?"),
        ("see https://jira.example.com/browse/OPS-12?x=1", "see ops-12"),
        ("O3 at risk? o3 model", "objective 3 at risk? o3 model"),
    ],
)
def test_normalise_expands_abbreviations_ids_and_drops_markup(typed, normal):
    assert " ".join(normalise(typed).split()) == normal


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("incidnet", "incident"),  # swapped neighbours
        ("reveiwer", "reviewer"),
        ("deplyments", "deployments"),  # a letter dropped
        ("rollbakc", "rollback"),
        ("objectve", "objective"),
        ("alret", "alert"),  # five letters: a swap is corrected
    ],
)
def test_one_edit_typos_of_domain_words_are_corrected(typo, word):
    assert correct(typo) == word


@pytest.mark.parametrize("word", ["broker", "throughout", "paying", "shopping", "stable", "alter", "pages"])
def test_real_words_and_short_tokens_are_never_corrected(word):
    # "alter"/"pages": five letters, and not a swap of neighbours, so left as typed.
    assert correct(word) == word


def test_protected_words_are_not_domain_words_and_distance_counts_swaps_once():
    assert not PROTECTED & VOCABULARY
    assert edit_distance("reveiw", "review") == 1
    assert edit_distance("deplyment", "deployment") == 1
    assert edit_distance("metrics", "metrics") == 0
    assert edit_distance("okr", "krs") == 2


@pytest.mark.parametrize(
    ("question", "agents"),
    [
        ("deplyoment freqency for identity, 60d", ["metrics"]),
        ("incidnets touching the ledger svc since monday", ["incident"]),
        ("how many sev0s in november", ["incident"]),
        ("kr4 looking shaky?", ["okr"]),
        ("mem usage spiking on the ingest workers", ["incident"]),
        ("unit tests keep failing on the release branch", ["metrics"]),
        ("weekly ops review: change failure rate and sev counts", ["incident", "metrics"]),
        ("ptal queue for the infra repo", ["review"]),
        ("review latency for the web team", ["review"]),
        ("https://oncall.example.com/incidents/INC-310 summary", ["incident"]),
        ("anyone seen `ECONNRESET from upstream` in the ledger logs", ["incident"]),
        ("count of in-progress stories for web", ["metrics"]),
    ],
)
def test_router_reads_chat_phrasing(question, agents):
    assert sorted(classify(question).agents) == agents


def test_okr_absorbs_a_metric_it_tracks_but_not_a_separate_metrics_ask():
    goal = classify("are we on track for the lead time target?")
    assert goal.agents == ("okr",) and goal.scores["metrics"] >= 2
    both = classify("goal progress for the mobile team; also deployment frequency by week")
    assert sorted(both.agents) == ["metrics", "okr"]


@pytest.mark.parametrize("message", ["Thanks, that's all!", "hey team", "ok got it 👍", "what can you do?"])
def test_small_talk_routes_nowhere_and_is_recognised(message):
    route = classify(message)
    assert route.agents == () and route.small_talk and route.matched


def test_unrecognised_question_routes_nowhere_and_a_weak_hint_is_only_a_guess():
    unknown = classify("what's a good restaurant near the office")
    assert unknown.agents == () and not unknown.matched and not unknown.small_talk
    assert not is_small_talk("how are we doing")  # may be a follow-up: never small talk
    weak = classify("is search slow?")
    assert weak.agents == ("incident",) and not weak.matched


def test_follow_up_keeps_topic_over_a_weak_guess_and_small_talk_ends_it():
    previous = "time to first review for the ios repo"
    kept = resolve("is it always this slow?", previous, {}, ("review",))
    assert kept.followup and kept.agents == ("review",)
    thanks = resolve("thanks!", previous, {}, ("review",))
    assert thanks.agents == ()
    switched = resolve("and any alerts firing there?", previous, {}, ("review",))
    assert switched.followup and switched.agents == ("incident",)


def test_held_out_set_is_well_formed_and_stays_routed():
    """A regression guard only: the held-out set measured generalisation once (see bench/README.md)."""
    items = json.loads(HELD_OUT.read_text())
    assert len(items) >= 150 and {i["split"] for i in items} == {"dev", "test"}
    assert all(set(i["agents"]) <= {"metrics", "incident", "review", "okr"} for i in items)
    assert sum(not i["agents"] for i in items) >= 10 and sum("context" in i for i in items) >= 10
    right = 0
    for item in items:
        previous = item.get("context")
        previous_agents = resolve(previous, None, {}, ()).agents if previous else ()
        got = resolve(item["q"], previous, {}, previous_agents).agents
        right += sorted(got) == sorted(item["agents"])
    assert right / len(items) >= 0.9
