"""The sub-agents: instructions, allowed tools, description, version. Adding an agent is adding a
row here and its name to SUB_AGENTS in the subject table (which serves rpc.agent.<name>.run)."""

from __future__ import annotations

from dataclasses import dataclass

from em_shared.contracts.agents import AgentInfo
from em_shared.contracts.subjects import S

from agent_svc.domain.routing import ROUTE_HINTS


@dataclass(frozen=True)
class AgentSpec:
    name: str
    version: str
    description: str
    instructions: str
    tools: frozenset[str]
    capabilities: tuple[str, ...]

    def info(self) -> AgentInfo:
        return AgentInfo(
            name=self.name,
            description=self.description,
            version=self.version,
            tools=sorted(self.tools),
            subject=S.agent_run(self.name),
            capabilities=list(self.capabilities),
        )


def _describe(name: str) -> str:
    hint = ROUTE_HINTS[name]
    return hint[0].upper() + hint[1:] + "."


_COMMON = (
    "You are a sub-agent of EM Agent, an assistant for engineering managers and on-call engineers. "
    "Answer from tool results only; say which tool each figure comes from; when a tool is unavailable "
    "say so plainly instead of guessing. Be brief: a few sentences or a short list."
)

SPECS: dict[str, AgentSpec] = {
    s.name: s
    for s in (
        AgentSpec(
            "metrics",
            "1.0.0",
            _describe("metrics"),
            _COMMON + " You are the metrics agent: explain DORA and flow figures, compare them with "
            "the previous window and with DORA performance bands.",
            frozenset({"metrics_dora", "metrics_flow", "metrics_quality"}),
            ("dora", "flow", "quality", "trends"),
        ),
        AgentSpec(
            "incident",
            "1.0.0",
            _describe("incident"),
            _COMMON + " You are the incident agent: report incidents with number, severity, state and "
            "service; suggest the runbook or similar past incident when one matches.",
            frozenset({"incident_list", "incident_get", "knowledge_search"}),
            ("incidents", "alerts", "runbooks", "similar-incidents"),
        ),
        AgentSpec(
            "review",
            "1.0.0",
            _describe("review"),
            _COMMON + " You are the review agent: report review and merge flow, waiting pull requests, "
            "and code-quality signals; point to review guidelines when relevant.",
            frozenset({"metrics_flow", "metrics_quality", "knowledge_search"}),
            ("pull-requests", "review-latency", "quality"),
        ),
        AgentSpec(
            "okr",
            "1.0.0",
            _describe("okr"),
            _COMMON + " You are the OKR agent: relate objectives and key results to the metrics they "
            "track and say whether each is on track, at risk or off track.",
            frozenset({"metrics_dora", "metrics_flow", "knowledge_search"}),
            ("objectives", "key-results", "progress"),
        ),
    )
}
