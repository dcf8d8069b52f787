"""Entities a question names (team, service, incident, time window, environment), found by rules.

Follow-ups ("and for the payments team?") carry the previous turn's entities; a new team replaces
the previous scope (team and service are one scope: naming one drops the other).
"""

from __future__ import annotations

import re

_NAME = r"([a-z0-9][a-z0-9_\-]{1,40})"
_STOP = {
    "the",
    "a",
    "an",
    "my",
    "our",
    "this",
    "that",
    "each",
    "every",
    "which",
    "what",
    "whole",
    "same",
    "other",
    "any",
    "all",
    "your",
    "their",
    "his",
    "her",
    "its",
    "one",
    "per",
    "by",
    "of",
    "for",
    "on",
    "platform",
    "product",
    "engineering",
    "dev",
    "development",
    "whose",
    "some",
}

_TEAM = [
    re.compile(rf"\b(?:for|of|in|on|by|about|from)\s+(?:the\s+)?{_NAME}\s+team\b"),
    re.compile(rf"\b{_NAME}\s+team(?:'s)?\b"),
    re.compile(rf"\bteam[:\s]+{_NAME}\b"),
]
_SERVICE = [
    re.compile(rf"\b(?:the\s+)?{_NAME}\s+(?:service|svc|api|app|microservice)\b"),
    re.compile(rf"\bservice[:\s]+{_NAME}\b"),
    re.compile(r"\b([a-z0-9]+(?:-[a-z0-9]+)*-(?:svc|service|api|app|worker|gateway))\b"),
]
_INCIDENT = [
    re.compile(r"\binc(?:ident)?[-\s#]*(\d{1,7})\b"),
    re.compile(r"\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"),
]
_ENV = re.compile(r"\b(prod|production|staging|stage|dev|qa)\b")
_ENV_NAMES = {
    "prod": "production",
    "production": "production",
    "staging": "staging",
    "stage": "staging",
    "dev": "dev",
    "qa": "qa",
}
_WINDOWS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"\b(?:last|past)\s+(\d{1,3})\s+days?\b"), None),
    (re.compile(r"\b(?:last|past)\s+(\d{1,2})\s+weeks?\b"), -7),
    (re.compile(r"\b(?:last|past)\s+(\d{1,2})\s+months?\b"), -30),
    (re.compile(r"\b(?:today|last 24 hours|past 24 hours|yesterday|last night|overnight)\b"), 1),
    (re.compile(r"\b(?:this|last|past|previous)\s+week\b|\bweekly\b|\bsprint\b"), 7),
    (re.compile(r"\b(?:this|last|past|previous)\s+month\b|\bmonthly\b|\b30 days\b"), 30),
    (re.compile(r"\b(?:this|last|past|previous)\s+quarter\b|\bquarterly\b|\bq[1-4]\b"), 90),
    (re.compile(r"\b(?:this|last|past|previous)\s+year\b|\byearly\b|\bannual\b"), 365),
]


def _first(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = match[1]
            if value not in _STOP:
                return value
    return None


def extract_entities(text: str) -> dict[str, str]:
    lowered = text.lower()
    found: dict[str, str] = {}
    if team := _first(_TEAM, lowered):
        found["team"] = team
    if (service := _first(_SERVICE, lowered)) and service != found.get("team"):
        found["service"] = service
    if incident := _first(_INCIDENT, lowered):
        found["incident"] = incident
    if env_match := _ENV.search(lowered):
        found["env"] = _ENV_NAMES[env_match[1]]
    for pattern, days in _WINDOWS:
        if match := pattern.search(lowered):
            if days is None:
                found["days"] = str(int(match[1]))
            elif days < 0:
                found["days"] = str(int(match[1]) * -days)
            else:
                found["days"] = str(days)
            break
    return found


def merge_entities(previous: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """Carry earlier entities into a follow-up; a newly named scope replaces the old one."""
    merged = dict(previous)
    if "team" in new or "service" in new:
        merged.pop("team", None)
        merged.pop("service", None)
    if "incident" in new or "team" in new or "service" in new:
        # A new scope asks about something else than the incident looked at before.
        merged.pop("incident", None)
    merged.update(new)
    return merged
