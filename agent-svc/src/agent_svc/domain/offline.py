"""What the offline provider says: tool plans from a question's entities, and answers composed from
tool results and agent answers. Deterministic, labelled, and honest about what it could not do."""

from __future__ import annotations

import json
import re
from typing import Any

from agent_svc.domain.entities import extract_entities

OFFLINE_LABEL = (
    "[offline mode: no language model is configured or reachable; this answer is built from tool results]"
)

_SEARCHY = re.compile(
    r"runbook|playbook|how (?:do|to|should|can)|why|root cause|guideline|policy|docs?|"
    r"documentation|fix|mitigat|similar|past|before|okr|objective|key result|goal|review",
    re.IGNORECASE,
)
_OPEN = re.compile(r"\b(open|active|ongoing|current|right now|unresolved|firing|now)\b", re.IGNORECASE)
_SEV = re.compile(r"\b(critical|high|medium|low)\b|\bsev[- ]?([0-3])\b", re.IGNORECASE)


def _scope(entities: dict[str, str]) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    for key in ("team", "service", "env"):
        if entities.get(key):
            scope[key] = entities[key]
    if entities.get("days"):
        scope["days"] = int(entities["days"])
    return scope


def plan_tool_calls(
    question: str, entities: dict[str, str], tools: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The read-only calls that answer `question` with the tools on offer, args from entities."""
    # Resolved entities (from the whole conversation) win over what the first line names alone.
    entities = {**extract_entities(question.splitlines()[0] if question else ""), **entities}
    scope = _scope(entities)
    calls: list[tuple[str, dict[str, Any]]] = []
    lowered = question.lower()
    for tool in tools:
        if (
            tool == "metrics_dora"
            or (
                tool == "metrics_flow"
                and re.search(r"review|pull|pr\b|cycle|flow|throughput|merge|wip", lowered)
            )
            or (
                tool == "metrics_quality"
                and re.search(r"coverage|quality|flaky|test|debt|build|ci\b", lowered)
            )
        ):
            calls.append((tool, scope))
        elif tool == "incident_get" and entities.get("incident"):
            calls.append((tool, {"id": entities["incident"]}))
        elif tool == "incident_list" and not entities.get("incident"):
            args = {k: v for k, v in scope.items() if k in ("team", "service", "days")}
            if _OPEN.search(question):
                args["state"] = "open"
            if sev := _SEV.search(question):
                args["severity"] = (
                    sev[1].lower() if sev[1] else ("critical", "high", "medium", "low")[int(sev[2])]
                )
            calls.append((tool, args))
        elif tool == "knowledge_search" and _SEARCHY.search(question):
            first_line = question.splitlines()[0][:300]
            args = {"query": first_line}
            if entities.get("service"):
                args["service"] = entities["service"]
            calls.append((tool, args))
    if not calls and "metrics_flow" in tools:
        calls.append(("metrics_flow", scope))
    if not calls and "knowledge_search" in tools:
        calls.append(("knowledge_search", {"query": question.splitlines()[0][:300]}))
    return calls


def _fmt_scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _describe(value: Any, depth: int = 0, limit: int = 12) -> list[str]:
    """A compact, readable rendering of a JSON value: key: value lines, lists summarised."""
    lines: list[str] = []
    pad = "  " * depth
    if isinstance(value, dict):
        for key, child in list(value.items())[:limit]:
            if key.startswith("_"):
                continue
            if isinstance(child, (dict, list)) and child:
                lines.append(f"{pad}- {key}:")
                lines.extend(_describe(child, depth + 1, limit=8))
            elif child not in (None, "", [], {}):
                lines.append(f"{pad}- {key}: {_fmt_scalar(child)}")
    elif isinstance(value, list):
        for position, item in enumerate(value[:5], start=1):
            if isinstance(item, dict):
                label = (
                    item.get("title")
                    or item.get("name")
                    or item.get("id")
                    or item.get("start")
                    or f"#{position}"
                )
                details = ", ".join(
                    f"{k}={_fmt_scalar(v)}"
                    for k, v in item.items()
                    if k
                    in (
                        "number",
                        "state",
                        "severity",
                        "service",
                        "team",
                        "score",
                        "value",
                        "heading_path",
                        "opened_at",
                        "kind",
                    )
                    and v not in (None, "", [])
                )
                if details:
                    lines.append(f"{pad}- {label} ({details})")
                else:  # no well-known fields (a metrics bucket, say): show its figures nested
                    lines.append(f"{pad}- {label}:")
                    lines.extend(_describe({k: v for k, v in item.items() if v != label}, depth + 1, limit=6))
            else:
                lines.append(f"{pad}- {_fmt_scalar(item)}")
        if len(value) > 5:
            lines.append(f"{pad}- … and {len(value) - 5} more")
    elif depth == 0:
        lines.append(f"{pad}{_fmt_scalar(value)}")
    return lines


def compose_agent_answer(agent: str, question: str, results: list[tuple[str, str, bool]]) -> str:
    """results: (tool, content, ok) with content the tool's JSON (or error) text."""
    if not results:
        return f"The {agent} agent found no tool that fits this question."
    parts = [f"{agent} agent, for: {question.splitlines()[0]}"]
    for tool, content, ok in results:
        try:
            value = json.loads(content)
        except ValueError:
            value = content
        if not ok:
            error = value.get("error", value) if isinstance(value, dict) else value
            message = error.get("message", error) if isinstance(error, dict) else error
            parts.append(f"{tool}: unavailable ({message})")
            continue
        lines = _describe(value)
        parts.append(f"{tool}:" + ("\n" + "\n".join(lines) if lines else " no data"))
    return "\n".join(parts)


def compose_synthesis(blocks: list[tuple[str, str]]) -> str:
    """Offline synthesis: each agent's answer under its name (sources are `agent:<name>`)."""
    sections = []
    for source, content in blocks:
        name = source.removeprefix("agent:")
        body = content.replace(OFFLINE_LABEL, "").strip()
        sections.append(f"## {name}\n{body}")
    return OFFLINE_LABEL + "\n\n" + "\n\n".join(sections) if sections else OFFLINE_LABEL


def compose_summary(blocks: list[tuple[str, str]], max_chars: int = 1500) -> str:
    """Offline summary of earlier turns: the first line of each, newest kept when too long."""
    lines = []
    for _, content in blocks:
        for line in content.splitlines():
            if line.strip():
                lines.append(line.strip()[:200])
    text = "\n".join(lines)
    return text[-max_chars:]
