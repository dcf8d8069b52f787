"""Identifiers spelled as words: `KubePodCrashLooping` -> kube pod crash looping, on both sides of a search.

Alerts, metrics and log lines name things as identifiers (camelCase, snake_case, dotted config keys);
neither PostgreSQL's parser (it keeps `OOMKilled` and `max.poll.interval.ms` whole) nor the model's
word pieces see the words inside. Queries and indexed chunks are split the same way so they meet.
"""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
IDENT = re.compile(r"[A-Za-z0-9]+(?:[_.:/=-][A-Za-z0-9]+)*")
_SEPARATORS = re.compile(r"[_.:/=\-]+")
# What PostgreSQL's parser indexes as one token: dotted, colon- or slash-joined names and camelCase
# (it splits at `_` and `-` itself).
_OPAQUE = re.compile(r"[.:/=]|[a-z0-9][A-Z]|[A-Z][A-Z][a-z]")


def split_identifier(token: str) -> list[str]:
    words: list[str] = []
    for part in _SEPARATORS.split(token):
        words.extend(w for w in _CAMEL.split(part) if w)
    return words


def spelled_identifier(ident: str) -> str | None:
    """The identifier's words (numbers dropped: `10.0.3.17`, `10:40` are not words), if more than one."""
    words = [w.lower() for w in split_identifier(ident) if not w.isdigit()]
    return " ".join(words) if len(words) > 1 else None


def identifier_words(text: str) -> list[str]:
    """Each multi-word identifier of `text` as lower-case words, in order of first appearance."""
    out: dict[str, None] = {}
    for ident in IDENT.findall(text):
        if spelled := spelled_identifier(ident):
            out.setdefault(spelled, None)
    return list(out)


def fulltext_input(text: str) -> str:
    """`text` plus the words of identifiers PostgreSQL would index whole, for a chunk's tsvector."""
    extra: dict[str, None] = {}
    for ident in IDENT.findall(text):
        if _OPAQUE.search(ident) and (spelled := spelled_identifier(ident)):
            extra.setdefault(spelled, None)
    return f"{text}\n{' '.join(extra)}" if extra else text
