"""Severity that teams write into names, descriptions and tags when the vendor has no field for it.

CloudWatch alarms have no severity, so teams name them `api-5xx-critical`, `P1-checkout-latency` or
`[SEV2] queue depth`, or write `Severity: low` in the description; Datadog monitors carry
`severity:high` / `priority:p2` tags and put `[P1]` on event titles. Only unambiguous words count
in a name (P1..P5, SEV1..SEV4, critical, warning): `HighCPUUtilization`, `low-disk-space`,
`api-errors`, `fatal-errors` or `user-info-5xx` describe the metric or the service, so high, low,
error, fatal and info never do; in prose only an explicit `severity: x`, `priority: x`, `P1` or
`SEV1` does. The raw word is returned; incident-svc maps it to a level.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from em_shared.contracts.severity_words import WORDS

_NUMBERED = r"(?:p[0-5]|sev[\s_-]?[0-5])"
# In names: delimited tokens (`-`, `_`, space, brackets), never inside a word (`p99`, `LowDisk`).
_NAME_WORD = re.compile(rf"(?<![a-z0-9])({_NUMBERED}|critical|crit|warning|warn)(?![a-z0-9])", re.IGNORECASE)
# In prose: `Severity: low`, `severity=critical`, `Priority - P4`, or a numbered level anywhere.
_EXPLICIT = re.compile(
    r"\b(?:severity|sev|priority|prio)\s*[:=\-]\s*([a-z0-9]+(?:[\s_-]?[0-5])?)", re.IGNORECASE
)
_NUMBERED_WORD = re.compile(rf"(?<![a-z0-9]){_NUMBERED}(?![a-z0-9])", re.IGNORECASE)
_TAG_KEYS = ("severity", "sev", "priority", "prio")
# What a severity/priority tag may say: a numbered level or a word of the shared vocabulary (the one
# incident-svc maps), so no tag it would read is dropped here; another value (`priority:normal`)
# names no level and must not hide the vendor's own field.
_LEVEL_VALUE = re.compile(
    r"(?:p|sev|s)?[\s_-]?[0-5]|" + "|".join(sorted(map(re.escape, WORDS), key=len, reverse=True)),
    re.IGNORECASE,
)


def in_name(name: str | None) -> str | None:
    """The severity word a resource name carries (`orders-5xx-critical` -> `critical`), if any."""
    found = _NAME_WORD.search(name or "")
    return found.group(1) if found else None


def in_text(text: str | None) -> str | None:
    """An explicitly stated severity in free text (`Severity: low. Disk above 80%` -> `low`)."""
    if not text:
        return None
    if found := _EXPLICIT.search(text):
        return found.group(1)
    found = _NUMBERED_WORD.search(text)
    return found.group(0) if found else None


def in_tags(tags: Mapping[str, str]) -> str | None:
    """A `severity:`/`priority:` tag's value when it names a level (keys matched case-insensitively)."""
    lowered = {k.strip().lower(): v.strip() for k, v in tags.items()}
    return next((lowered[k] for k in _TAG_KEYS if _LEVEL_VALUE.fullmatch(lowered.get(k, ""))), None)
