"""The offline router: which sub-agents a question needs, by weighted phrase rules (no model).

Each rule adds (or, for known confusions, subtracts) weight per agent. Agents scoring at least
`SELECT_AT` are chosen; a weak best guess is kept when nothing is strong. The OKR agent reads
metrics itself, so goal questions that name a metric go to it alone. Scores are returned so the
bench can show why a question went where it did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGENTS = ("metrics", "incident", "review", "okr")
SELECT_AT = 2.0

_R = re.compile
RULES: list[tuple[re.Pattern[str], dict[str, float]]] = [
    # metrics: DORA, flow, delivery, build and quality figures
    (_R(r"\bdora\b|\bfour key"), {"metrics": 4}),
    (
        _R(
            r"deploy(?:ment)?s?\s+(?:frequency|count|rate|cadence|volume)|how (?:often|frequently|many times)\b.*\b"
            r"(?:deploy|ship|release)|release (?:frequency|cadence)|ship(?:ping)? (?:frequency|cadence|rate)"
        ),
        {"metrics": 4},
    ),
    (
        _R(
            r"\blead[- ]?times?\b|time to (?:prod|production)|reach(?:es|ing)? (?:prod|production)|commit to deploy"
        ),
        {"metrics": 4},
    ),
    (
        _R(
            r"change[- ]fail|failure rate|rollback rate|failed (?:deploy|deployment|release|change)s?|"
            r"(?:deploy|deployment|release)s? (?:that )?(?:failed|were rolled back)|\brollbacks?\b"
        ),
        {"metrics": 4},
    ),
    (
        _R(
            r"\bmttr\b|\bmttd\b|mean time to|time to (?:restore|recover|resolve|repair|acknowledge|detect)|"
            r"how (?:long|quickly|fast) (?:do|did|does) (?:we|it take to) (?:restore|recover|resolve)"
        ),
        {"metrics": 4, "incident": -2},
    ),
    (
        _R(
            r"cycle[- ]times?|throughput|velocity|flow (?:metrics|efficiency)|work in progress|\bwip\b|"
            r"delivery (?:speed|performance|metrics)|engineering (?:metrics|performance|productivity)|productivity"
        ),
        {"metrics": 3},
    ),
    (_R(r"\b(?:deploys?|deployments?|deployed|releases?|released|shipped|shipping)\b"), {"metrics": 2}),
    (
        _R(
            r"\b(?:metrics?|kpis?|trends?|trending|stats|statistics|numbers|figures|dashboard|benchmark|"
            r"elite|percentiles?|p50|p90|p95|median|average|improv(?:e|ed|ing)|regress(?:ed|ing|ion)?|"
            r"slow(?:er|ing)? down|faster|slower)\b"
        ),
        {"metrics": 1},
    ),
    (_R(r"\b(?:builds?|pipelines?|ci)\b"), {"metrics": 2}),
    (
        _R(
            r"\b(?:test )?coverage\b|quality gates?|flaky|test (?:pass|failure)|code quality|tech(?:nical)? debt"
        ),
        {"metrics": 3},
    ),
    # incidents: what is broken, what happened, how to fix it
    (_R(r"\bincidents?\b|\binc-?\d+"), {"incident": 4}),
    (
        _R(
            r"\b(?:outages?|downtime|degraded|degradation|unavailable|unreachable|disruption)\b|"
            r"\b(?:is|are|was|were|went|goes|going)\s+(?:\S+\s+){0,3}?(?<!slowing )(?<!slow )(?<!broken )(?<!cut )"
            r"(?<!break )(?<!narrow )down\b(?!\s+(?:by|to|per|from|into))"
        ),
        {"incident": 4},
    ),
    (
        _R(r"\b(?:alerts?|alerting|paged|paging|pager(?:duty)?|opsgenie|on[- ]?call|firing)\b"),
        {"incident": 4},
    ),
    (_R(r"\bsev(?:erity)?[- ]?[0-4]\b|\bp[0-4]\b|\bseverity\b"), {"incident": 4}),
    (_R(r"post[- ]?mortems?|root[- ]cause|\brca\b|blameless|what went wrong"), {"incident": 4}),
    (
        _R(
            r"\b(?:runbooks?|playbooks?)\b|how (?:do|to|should|can) (?:i|we|you)?\s*(?:fix|mitigate|recover|restart|"
            r"roll ?back|handle|debug|troubleshoot|failover)"
        ),
        {"incident": 4},
    ),
    (
        _R(
            r"error rate|\berrors?\b|\b5\d\d\b|\b5xx\b|latency spike|\bspik(?:e|es|ing)\b|crash(?:ing|ed|es)?|"
            r"broken|\bfailing\b|on fire|mitigat|triage|acknowledg|escalat|firefight|\bhealthy\b|health of"
        ),
        {"incident": 2},
    ),
    (
        _R(r"what(?:'s| is) (?:going on|happening|wrong)|what happened|anything (?:broken|wrong|on fire)"),
        {"incident": 3},
    ),
    (
        _R(
            r"(?:which|what) (?:deploy|deployment|release|change)\w* (?:caused|broke|triggered)|"
            r"caused (?:the|this|that) (?:outage|incident)"
        ),
        {"incident": 4, "metrics": -2},
    ),
    # review: pull requests and code review
    (_R(r"\bpull[- ]requests?\b|\bprs?\b|\bmerge[- ]requests?\b|\bmrs\b"), {"review": 4}),
    (
        _R(
            r"code[- ]?reviews?|\breviewers?\b|\breviewing\b|review (?:time|latency|queue|load|backlog|turnaround|"
            r"speed|process|comments?|bottleneck)|waiting (?:for|on) (?:a )?review|unreviewed|approvals?\b|approved\b|"
            r"\brubber[- ]stamp"
        ),
        {"review": 4},
    ),
    (_R(r"\breview(?:s|ed)?\b"), {"review": 2}),
    (
        _R(r"\b(?:diffs?|commits?|merged?|merging|branch(?:es)?|stale|code ?owners?|pairing|nitpicks?)\b"),
        {"review": 1},
    ),
    # okr: objectives, key results, goals
    (_R(r"\bokrs?\b"), {"okr": 5}),
    (_R(r"key[- ]results?|\bkrs?\b|\bobjectives?\b"), {"okr": 4}),
    (
        _R(
            r"\b(?:goals?|targets?|on[- ]track|off[- ]track|at[- ]risk|behind schedule|milestones?|initiatives?|"
            r"commitments?|roadmap)\b"
        ),
        {"okr": 3},
    ),
    (
        _R(
            r"progress (?:towards?|on|against)|tracking (?:towards?|against|to)|(?:will|are) we (?:hit|meet|reach|make)|"
            r"going to (?:hit|meet|reach|make)"
        ),
        {"okr": 3},
    ),
]

ROUTE_HINTS = {
    "metrics": "DORA (deployment frequency, lead time, change failure rate, time to restore), flow, build "
    "and quality figures",
    "incident": "incidents, alerts, outages, on-call, root causes, runbooks and past incidents",
    "review": "pull requests and code review: review times, waiting PRs, reviewers, merge flow",
    "okr": "objectives and key results: goals, targets, progress and risk",
}


@dataclass(frozen=True)
class Route:
    agents: tuple[str, ...]
    scores: dict[str, float]
    matched: bool  # False: no rule fired, the caller decides (previous agents, default)


def score(question: str) -> dict[str, float]:
    text = question.lower()
    scores = dict.fromkeys(AGENTS, 0.0)
    for pattern, weights in RULES:
        if pattern.search(text):
            for agent, weight in weights.items():
                scores[agent] += weight
    return scores


def classify(question: str) -> Route:
    scores = score(question)
    chosen = [a for a in AGENTS if scores[a] >= SELECT_AT]
    if "okr" in chosen and "metrics" in chosen:
        chosen.remove("metrics")  # the OKR agent reads the metrics its key results track
    if not chosen:
        best = max(AGENTS, key=lambda a: scores[a])
        if scores[best] <= 0:
            return Route((), scores, matched=False)
        chosen = [best]
    chosen.sort(key=lambda a: -scores[a])
    return Route(tuple(chosen), scores, matched=True)
