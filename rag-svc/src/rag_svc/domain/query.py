"""Shaping a search query: alert syntax stripped, identifiers and shorthand spelled out, OR-query terms.

Alerts arrive as `KubePodCrashLooping`, `alertname=HighDiskUsage severity=critical` or
`disk_used_percent`; chat questions as `conn limit on prod db`. The query is first cut down to what
it says about the failure (alert_syntax), then its identifiers (identifiers) and shorthand
(sre_vocabulary) are spelled out, so both the full-text query and the embedding meet the prose of
a runbook. The full-text query is an OR of terms: an alert shares some words with the right
runbook, rarely all of them.
"""

from __future__ import annotations

import re

from rag_svc.domain.alert_syntax import strip_alert_syntax
from rag_svc.domain.identifiers import IDENT, identifier_words, spelled_identifier, split_identifier
from rag_svc.domain.sre_vocabulary import shorthand_expansions

__all__ = [
    "QueryRejected",
    "expand_query",
    "phrase_text",
    "search_terms",
    "split_identifier",
    "validate_query",
]

MAX_QUERY_CHARS = 2000
_WORD = re.compile(r"[A-Za-z0-9]+")
# Words every alert carries that say nothing about the failure mode.
_NOISE = frozenset(
    {
        "alert",
        "alertname",
        "firing",
        "resolved",
        "triggered",
        "severity",
        "instance",
        "job",
        "namespace",
        "pod",
        "critical",
        "warning",
        "warn",
        "info",
        "page",
        "labels",
        "summary",
        "description",
        "value",
        "prod",
        "production",
        "staging",
        "env",
    }
)


def normalized_query(query: str) -> str:
    """The query without alert boilerplate (falls back to the query when nothing else remains)."""
    return strip_alert_syntax(query) or query


def expand_query(query: str) -> str:
    """What the embedding model reads: the normalised query plus identifiers and shorthand spelled out."""
    text = normalized_query(query)
    extra = [*identifier_words(text), *shorthand_expansions(" ".join([text, *identifier_words(text)]))]
    return f"{text} ({'; '.join(extra)})" if extra else text


def search_terms(query: str) -> list[str]:
    """Distinct lower-case words for the full-text OR-query, alert boilerplate removed."""
    text = normalized_query(query)
    words: list[str] = []
    for ident in IDENT.findall(text):
        words += [ident, *split_identifier(ident)]
    words += shorthand_expansions(" ".join([text, *identifier_words(text)]))
    seen: dict[str, None] = {}
    for word in words:
        for w in _WORD.findall(word):
            w = w.lower()
            if len(w) > 1 and w not in _NOISE and not w.isdigit():
                seen.setdefault(w, None)
    return list(seen)


def phrase_text(query: str) -> str:
    """The normalised query with each identifier spelled out in its place (`JvmHeapUsageHigh` ->
    jvm heap usage high), so its word order can be matched as phrases (domain/phrases.py)."""
    return IDENT.sub(lambda m: spelled_identifier(m.group(0)) or m.group(0), normalized_query(query))


class QueryRejected(ValueError):
    """A query no search can answer; the message says why (the API maps it to a 400)."""


def validate_query(query: str) -> str:
    text = query.strip()
    if not text:
        raise QueryRejected("query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRejected(f"query is longer than {MAX_QUERY_CHARS} characters")
    return text
