"""Word pairs of the query that a chunk holds in the same order, side by side: phrase evidence.

Alerts quote the messages runbooks quote (`The scheduler does not appear to be running`,
`Java heap space`), and alert names spell phrases (`JvmHeapUsageHigh`). As a bag of words, a page
that names `scheduler`, `running` and `minutes` in three unrelated sentences scores like the page
that quotes the message; `JVM non-heap` matches `jvm` and `heap` like `JVM heap`. Adjacent pairs
of the query's lexemes, at the distance the query has them (stop words keep their place, as in the
chunks' tsvectors), rerank full-text candidates: each pair a chunk holds adds its words' weight.
Pairs only rank, they never select, so a query loses no candidate to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

MAX_GAP = 3  # `appear to be running`: `appear <3> run`; farther apart is not a phrase
# A pair counts half its words' weight: at full weight, pairs of common words in a near neighbour's
# title (`kafka consumer`) outweighed a typo'd telling word (measured on the dev halves: 0.5 and 0.25
# score alike, 1.0 lost two queries).
PHRASE_SCALE = 0.5
MAX_PHRASES = 12  # an alert-length query; a pasted stack trace keeps its first pairs


def phrase_terms(
    positions: list[tuple[str, list[int]]], weights: Mapping[str, float]
) -> list[tuple[str, float]]:
    """`(tsquery, weight)` for each pair of lexemes next to each other in the query (`'jvm' <-> 'heap'`),
    weighted by the mean weight of its two lexemes. `positions` is the query's tsvector (lexeme,
    positions); number-only lexemes (ids, ports, counts) start no pair."""
    at: dict[int, str] = {}
    for lexeme, places in positions:
        for place in places:
            at.setdefault(place, lexeme)
    ordered = sorted(at.items())
    seen: dict[str, float] = {}
    for (p1, a), (p2, b) in pairwise(ordered):
        if p2 - p1 > MAX_GAP or a == b or a.isdigit() or b.isdigit():
            continue
        query = f"{_quoted(a)} <{p2 - p1}> {_quoted(b)}" if p2 - p1 > 1 else f"{_quoted(a)} <-> {_quoted(b)}"
        seen.setdefault(query, PHRASE_SCALE * (weights.get(a, 0.0) + weights.get(b, 0.0)) / 2)
        if len(seen) == MAX_PHRASES:
            break
    return list(seen.items())


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"
