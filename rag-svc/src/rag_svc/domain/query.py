"""Shaping a search query: alert names and labels into words, and the full-text OR-query terms.

Alerts arrive as `KubePodCrashLooping`, `alertname=HighDiskUsage` or `disk_used_percent`; neither
PostgreSQL's parser nor the model's word pieces see the words inside. Splitting identifiers
(camelCase, snake_case, key=value) lets both match the prose of a runbook. The full-text query
is an OR of terms: an alert shares some words with the right runbook, rarely all of them.
"""

from __future__ import annotations

import re

MAX_QUERY_CHARS = 2000
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|\d+")
_IDENT = re.compile(r"[A-Za-z0-9]+(?:[_.:/=-][A-Za-z0-9]+)*")
# Words every alert carries that say nothing about the failure mode.
_NOISE = frozenset(
    {
        "alert",
        "alertname",
        "firing",
        "severity",
        "instance",
        "job",
        "namespace",
        "pod",
        "critical",
        "warning",
        "info",
        "page",
        "labels",
        "summary",
        "description",
        "value",
    }
)


def split_identifier(token: str) -> list[str]:
    words: list[str] = []
    for part in re.split(r"[_.:/=\-]+", token):
        words.extend(w for w in _CAMEL.split(part) if w)
    return words


def expand_query(query: str) -> str:
    """The query plus its identifiers spelled as words (what the embedding model reads)."""
    extra: list[str] = []
    for ident in _IDENT.findall(query):
        words = split_identifier(ident)
        if len(words) > 1:
            extra.append(" ".join(words).lower())
    return f"{query} ({'; '.join(extra)})" if extra else query


def search_terms(query: str) -> list[str]:
    """Distinct lower-case words for the full-text OR-query, alert boilerplate removed."""
    seen: dict[str, None] = {}
    for ident in _IDENT.findall(query):
        for word in [ident, *split_identifier(ident)]:
            for w in _WORD.findall(word):
                w = w.lower()
                if len(w) > 1 and w not in _NOISE and not w.isdigit():
                    seen.setdefault(w, None)
    return list(seen)


class QueryRejected(ValueError):
    """A query no search can answer; the message says why (the API maps it to a 400)."""


def validate_query(query: str) -> str:
    text = query.strip()
    if not text:
        raise QueryRejected("query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRejected(f"query is longer than {MAX_QUERY_CHARS} characters")
    return text
