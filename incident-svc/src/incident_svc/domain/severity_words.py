"""The severity vocabulary every vendor shares, for values no row of the vendor's table matches.

Severity fields are free text in most tools (an Alertmanager `severity` label, a PagerDuty priority
renamed by the account, a Datadog tag), and teams spell one level many ways: `crit`, `Critical`,
`SEV-1`, `Sev 1`, `P1`, `p1`, `1`, `P3 - Moderate`. Reading them here, case-insensitively and with
numerals, means a team's convention maps without a YAML row per spelling. Numbered schemes agree
that 1 is the most severe: P0/P1 and SEV0/SEV1 are critical, 2 high, 3 medium, 4 and 5 low.
"""

from __future__ import annotations

import re

from em_shared.contracts.severity_words import BY_NUMBER, WORDS

_PREFIX = r"(?:p|sev|s|severity|priority)"
# `SEV-1`, `Sev 1`, `priority: 2` -> one token; `p99` is not a priority (the digit must end the token).
_JOIN = re.compile(rf"\b({_PREFIX})[\s_\-.:]+([0-5])\b")
_NUMBERED = re.compile(rf"{_PREFIX}?([0-5])")
_TOKEN = re.compile(r"[a-z0-9]+")
# A severity field holds a word or two; longer text is a sentence, where words mean other things.
_MAX_TOKENS = 4


def compact(raw: str) -> str:
    """Lower case, trimmed, numbered forms joined (`SEV-1` -> `sev1`): the key vendor tables use."""
    return _JOIN.sub(r"\1\2", raw.strip().lower())


def level_of(raw: str) -> str | None:
    """The level a severity field's value names, or None when it names none."""
    tokens = _TOKEN.findall(compact(raw))
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    for token in tokens:
        if token in WORDS:
            return WORDS[token]
        if numbered := _NUMBERED.fullmatch(token):
            return BY_NUMBER[numbered.group(1)]
    return None
