"""Routing benchmark: how often a chat turn reaches exactly the right sub-agents.

Scores the path a real turn takes: follow-up resolution against the previous question (an item's
optional `context`), the rule router, and the coordinator's choice when the rules pick nothing. With
EM_LLM_CHAIN naming a provider (and its key/base URL), the model router is scored too, with the same
structured-output prompt the coordinator uses.

Files are JSON lists of {"q", "agents", optional "context", optional "split"}; an empty `agents` means
no sub-agent should run (small talk, out of scope). Prints exact-set accuracy, per-agent precision and
recall, and the confusion of misses, per file and per split.

Run: `.venv/bin/python bench/agent/routing.py [FILE ...] [--split dev|test] [--misses]`
(default files: routing_questions.json, target >= 95 % exact; routing_heldout.json,
routing_heldout2.json and routing_heldout3.json, reported only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agent_svc.domain.followup import resolve
from agent_svc.domain.routing import AGENTS
from agent_svc.handlers.coordinator import Coordinator
from agent_svc.llm.factory import build_chain
from agent_svc.settings import AgentSettings
from em_shared.runtime.settings import load_settings

HERE = Path(__file__).parent
DEFAULT_FILES = (
    HERE / "routing_questions.json",
    HERE / "routing_heldout.json",
    HERE / "routing_heldout2.json",
    HERE / "routing_heldout3.json",
)
TARGET = 0.95  # on routing_questions.json, the set written with the rules
NONE = "(none)"

Item = dict[str, Any]
Route = Callable[[Item], Awaitable[list[str]]]


def router(settings: AgentSettings) -> tuple[Route, Coordinator]:
    """A turn's routing as the chat handler does it, over the coordinator built from `settings`."""
    chain = build_chain(settings)
    coordinator = Coordinator(chain, None, None, "", settings.agent_timeout_s)  # type: ignore[arg-type]

    async def turn(question: str, previous: str | None, previous_agents: tuple[str, ...]) -> list[str]:
        resolved = resolve(question, previous, {}, previous_agents)
        agents, _, _ = await coordinator.route(resolved.question, resolved.agents, "bench")
        return agents

    async def route(item: Item) -> list[str]:
        previous, previous_agents = item.get("context"), ()
        if previous:
            previous_agents = tuple(await turn(previous, None, ()))
        return await turn(item["q"], previous, previous_agents)

    return route, coordinator


def report(name: str, items: list[Item], predictions: list[list[str]], show_misses: bool) -> float:
    wants = [sorted(i["agents"]) for i in items]
    gots = [sorted(p) for p in predictions]
    right = sum(w == g for w, g in zip(wants, gots, strict=True))
    accuracy = right / len(items) if items else 0.0
    print(f"{name}: {right}/{len(items)} = {accuracy:.1%} exact routing")
    rows = []
    for label in (*AGENTS, NONE):

        def has(agents: list[str], label: str = label) -> bool:
            return (not agents) if label == NONE else label in agents

        tp = sum(has(w) and has(g) for w, g in zip(wants, gots, strict=True))
        fp = sum(not has(w) and has(g) for w, g in zip(wants, gots, strict=True))
        fn = sum(has(w) and not has(g) for w, g in zip(wants, gots, strict=True))
        p = f"{tp / (tp + fp):.2f}" if tp + fp else "  - "
        r = f"{tp / (tp + fn):.2f}" if tp + fn else "  - "
        rows.append(f"{label} P {p} R {r} (n={tp + fn})")
    print("  " + " | ".join(rows))
    confusion = Counter((_label(w), _label(g)) for w, g in zip(wants, gots, strict=True) if w != g)
    if confusion:
        print(
            "  misses (want -> got: count): "
            + ", ".join(f"{w} -> {g}: {n}" for (w, g), n in confusion.most_common())
        )
    if show_misses:
        for item, w, g in zip(items, wants, gots, strict=True):
            if w != g:
                context = f" (after {item['context']!r})" if item.get("context") else ""
                print(f"    MISS {item['q']!r}{context}: want {_label(w)}, got {_label(g)}")
    return accuracy


def _label(agents: list[str]) -> str:
    return "+".join(agents) or NONE


def score_file(
    path: Path, route_name: str, predictions: list[list[str]], items: list[Item], args: Any
) -> float:
    accuracy = report(f"{route_name} on {path.name}", items, predictions, args.misses)
    splits = sorted({i["split"] for i in items if "split" in i})
    for split in splits:
        chosen = [(i, p) for i, p in zip(items, predictions, strict=True) if i.get("split") == split]
        report(
            f"{route_name} on {path.name} [{split}]", [i for i, _ in chosen], [p for _, p in chosen], False
        )
    return accuracy


async def predict(route: Route, items: list[Item]) -> list[list[str]]:
    return [await route(i) for i in items]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, default=list(DEFAULT_FILES))
    parser.add_argument("--split", choices=("dev", "test"), help="score only the items of this split")
    parser.add_argument("--misses", action="store_true", help="list every missed question")
    args = parser.parse_args()

    settings = load_settings(AgentSettings)
    offline_settings = AgentSettings(llm_chain="offline")
    offline_route, _ = router(offline_settings)
    model_route, model = router(settings)
    failed = False
    for path in args.files:
        items = json.loads(path.read_text())
        if args.split:
            items = [i for i in items if i.get("split") == args.split]
        accuracy = score_file(path, "offline rules", asyncio.run(predict(offline_route, items)), items, args)
        if path.name == "routing_questions.json" and not args.split:
            failed = failed or accuracy < TARGET
        if model._llm.online:
            score_file(
                path, f"model ({settings.llm_chain})", asyncio.run(predict(model_route, items)), items, args
            )
    if not model._llm.online:
        print("model: not configured (set EM_LLM_CHAIN=anthropic or openai and its key to score it)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
