"""The offline router: which sub-agents a question needs, by weighted phrase rules (no model).

The question is normalised (textnorm), a recovery metric's incident scope is dropped ("MTTR for sev2
incidents" asks for a metric), and the rest is scored by the rules (routing_rules). Agents scoring at
least `SELECT_AT` are chosen; a weak best guess is kept when nothing is strong. The OKR agent reads
metrics itself, so a goal question that names a metric goes to it alone, unless another part of the
question asks for metrics on their own ("OKR status and DORA trends"). Small talk, requests to
rework text ("translate: …", "proofread …") and questions no rule recognises route to no agent: the
coordinator then says what it can answer instead of guessing.
Scores are returned so the bench can show why a question went where it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_svc.domain.routing_rules import METRIC_SCOPES, RULES, TEXT_TASK
from agent_svc.domain.textnorm import normalise


def _words(text: str) -> frozenset[str]:
    """A set of words written as a block of text (long lists read better that way)."""
    return frozenset(text.split())


AGENTS = ("metrics", "incident", "review", "okr")
SELECT_AT = 2.0

# What each agent answers: its description in the registry and in the model router's prompt.
ROUTE_HINTS = {
    "metrics": "DORA metrics (deployment frequency, lead time for changes, change failure rate, time to "
    "restore), flow metrics (cycle time, throughput, work in progress), build success, flaky tests, test "
    "coverage and quality gates, and their trends",
    "incident": "incidents and alerts (open, by severity or service), outages and production errors, "
    "on-call pages, incident timelines and root causes, post-mortems, runbooks and similar past incidents",
    "review": "pull/merge requests and code review (PRs waiting for review, time to first review and to "
    "merge, PR cycle time, reviewer load, stale PRs, review guidelines)",
    "okr": "objectives and key results (OKRs), goals and targets: their progress and whether each is on "
    "track or at risk, including goals set on delivery or reliability metrics",
}
# The same, in a few words: what the assistant says it can do when a question fits no agent.
ROUTE_TOPICS = {
    "metrics": "delivery metrics (DORA, flow, builds, test quality)",
    "incident": "incidents, alerts, on-call and runbooks",
    "review": "pull requests and code review",
    "okr": "OKRs and goals",
}

# Parts of a question that ask for separate things: "X and Y", "X, Y", "X + Y", "summary: X".
_CLAUSES = re.compile(r"[;:,+&!?]|\s[-/]\s|\b(?:and|plus|also|as well as|then)\b")
# "KR: reduce MTTR to 1h", "goal 2: ...": what follows the colon is the goal's own text, one clause.
_GOAL_LABEL = re.compile(r"\b((?:okrs?|krs?|key results?|goals?|objectives?|targets?|o\d)(?:\s*\d+)?)\s*:")

# A message made only of these is a pleasantry ("thanks!", "hi team", "ok got it"), not a question.
_PLEASANTRIES = _words(
    """
    hi hello hey heya hiya yo howdy morning afternoon evening gm good day night thanks thank thx ty tysm
    cheers ok okay k kk sure cool great nice awesome perfect brilliant excellent lovely amazing fine
    got it understood noted np no worries lol lmao haha hahaha bye goodbye later cya see you ttyl
    that helps helped helpful makes sense sounds all is that's it's much very so a lot again for the
    your help appreciate appreciated team everyone folks all bot y'all yes yeah yep no nope right
    """
)
_ABOUT_ME = re.compile(
    r"^(?:\w+ )?(?:how are you|how's it going|what's up|sup)\b|"
    r"^(?:help|what can you do|what do you do|who are you|what are you|how do you work|"
    r"what (?:can|should) i ask(?: you)?|what are your (?:capabilities|skills))\b"
)
_TOKENS = re.compile(r"[a-z']+")


@dataclass(frozen=True)
class Route:
    agents: tuple[str, ...]
    scores: dict[str, float]
    matched: bool  # False: no strong evidence (a weak guess or nothing); a follow-up keeps its topic
    small_talk: bool = False  # a pleasantry or a question about the assistant itself


def score(question: str) -> dict[str, float]:
    """Rule weights per agent for an already normalised question."""
    scores = dict.fromkeys(AGENTS, 0.0)
    for pattern, weights in RULES:
        if pattern.search(question):
            for agent, weight in weights.items():
                scores[agent] += weight
    return scores


def classify(question: str) -> Route:
    text = normalise(question)
    for pattern, replacement in METRIC_SCOPES:
        text = pattern.sub(replacement, text)
    scores = score(text)
    if TEXT_TASK.match(text):  # out of scope however domain-like the quoted text is
        return Route((), scores, matched=True)
    chosen = [a for a in AGENTS if scores[a] >= SELECT_AT]
    if "okr" in chosen and "metrics" in chosen and not _asks_metrics_apart(text):
        chosen.remove("metrics")  # the OKR agent reads the metrics its key results track
    if not chosen:
        best = max(AGENTS, key=lambda a: scores[a])
        if scores[best] > 0:  # a weak guess: a follow-up keeps the previous turn's agents instead
            return Route((best,), scores, matched=False)
        small_talk = is_small_talk(text)
        return Route((), scores, matched=small_talk, small_talk=small_talk)
    chosen.sort(key=lambda a: -scores[a])
    return Route(tuple(chosen), scores, matched=True)


def is_small_talk(text: str) -> bool:
    """A greeting, thanks or acknowledgement, or a question about what the assistant does."""
    text = text.strip()
    tokens = _TOKENS.findall(text)
    return bool(_ABOUT_ME.match(text)) or (bool(tokens) and all(t in _PLEASANTRIES for t in tokens))


def _asks_metrics_apart(text: str) -> bool:
    """Whether some part of the question asks for metrics without naming a goal."""
    for clause in _CLAUSES.split(_GOAL_LABEL.sub(r"\1", text)):
        part = score(clause)
        if part["metrics"] >= SELECT_AT and part["okr"] < SELECT_AT:
            return True
    return False
