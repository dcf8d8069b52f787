"""Routing benchmark: how often the coordinator picks exactly the right sub-agents.

Scores the offline rule router on routing_questions.json; with EM_LLM_CHAIN naming a provider
(and its key/base URL), also scores the model router with the same structured-output prompt the
coordinator uses. Run: `.venv/bin/python bench/agent/routing.py` (target: >= 95 % exact match).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from agent_svc.domain.routing import classify
from agent_svc.handlers.coordinator import Coordinator
from agent_svc.llm.factory import build_chain
from agent_svc.settings import AgentSettings
from em_shared.runtime.settings import load_settings

QUESTIONS = json.loads((Path(__file__).parent / "routing_questions.json").read_text())


def score(name: str, predictions: list[list[str]]) -> float:
    correct = 0
    for item, got in zip(QUESTIONS, predictions, strict=True):
        ok = sorted(got) == sorted(item["agents"])
        correct += ok
        if not ok:
            print(f"  [{name}] MISS {item['q']!r}: want {sorted(item['agents'])}, got {sorted(got)}")
    accuracy = correct / len(QUESTIONS)
    print(f"{name}: {correct}/{len(QUESTIONS)} = {accuracy:.1%} exact routing")
    return accuracy


async def model_predictions(settings: AgentSettings) -> list[list[str]]:
    chain = build_chain(settings)
    coordinator = Coordinator(chain, None, None, "", settings.agent_timeout_s)  # type: ignore[arg-type]
    out = []
    for item in QUESTIONS:
        agents, _, response = await coordinator.route(item["q"], (), "bench")
        out.append(agents if response is not None else ["<model failed>"])
    return out


def main() -> int:
    offline = score("offline rules", [list(classify(i["q"]).agents) for i in QUESTIONS])
    settings = load_settings(AgentSettings)
    if build_chain(settings).online:
        score(f"model ({settings.llm_chain})", asyncio.run(model_predictions(settings)))
    else:
        print("model: not configured (set EM_LLM_CHAIN=anthropic or openai and its key to score it)")
    return 0 if offline >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
