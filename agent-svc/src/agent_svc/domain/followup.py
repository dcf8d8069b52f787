"""Follow-up questions: recognise one ("and for the payments team?") and resolve it against the
previous turn, so the router and the sub-agents see a self-contained question."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_svc.domain.entities import extract_entities, merge_entities
from agent_svc.domain.routing import classify

_OPENERS = re.compile(
    r"^\s*(?:and|also|what about|how about|same (?:for|question)|now (?:for|do)|ok(?:ay)?,? (?:and|now|what)|"
    r"then|but|compared? (?:to|with)|vs\.?|versus|what if|and what about|and how about)\b",
    re.IGNORECASE,
)
_REFERENCES = re.compile(
    r"\b(?:there|that team|that service|them|those|it|this one|that one|same)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Resolved:
    question: str  # what the agents are asked
    entities: dict[str, str]
    agents: tuple[str, ...]  # routing; empty: ask the model-based router
    followup: bool


def resolve(
    message: str,
    previous_question: str | None,
    previous_entities: dict[str, str],
    previous_agents: tuple[str, ...],
) -> Resolved:
    new_entities = extract_entities(message)
    route = classify(message)
    words = len(message.split())
    followup = previous_question is not None and (
        bool(_OPENERS.search(message))
        or (not route.matched and words <= 12)
        or (bool(_REFERENCES.search(message)) and words <= 16)
    )
    if not followup:
        return Resolved(message, new_entities, route.agents, followup=False)
    entities = merge_entities(previous_entities, new_entities)
    agents = route.agents if route.matched else previous_agents
    question = f"{message}\n(Follow-up to the earlier question: {previous_question})"
    return Resolved(question, entities, agents, followup=True)
