"""Which query words the full-text ranking uses, and how much each counts: inverse document frequency.

`ts_rank` weighs every word of an OR-query alike, so `container` (in a third of all runbooks) counts as
much as `deadlock` (in one); an alert full of generic words then ranks whatever repeats them. Each word
is weighted by its BM25 inverse document frequency over the indexed chunks. Words in more than
`common_fraction` of chunks only rank, they do not select, when rarer ones remain: as selectors they
would make the query match most of the table (slow at 10,000 chunks), yet among the chunks the rare
words select, `restart` or `back` still tell a crash-loop runbook from a page that merely names the
same service. A pair of common words (`back & restart`) also selects, for alerts whose telling words
are all common.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_COMMON_PAIRED = 3  # the rarest common words whose pairs also select (3 pairs at most)


@dataclass(frozen=True)
class Lexicon:
    """How many chunks hold each lexeme (from the index's tsvectors), and how many chunks there are."""

    chunks: int = 0
    frequency: Mapping[str, int] = field(default_factory=dict)


def idf(chunks_with_term: int, chunks: int) -> float:
    """BM25's inverse document frequency (the +1 keeps it positive for very common words)."""
    return math.log(1.0 + (chunks - chunks_with_term + 0.5) / (chunks_with_term + 0.5))


@dataclass(frozen=True)
class TermQuery:
    """A chunk is a candidate when it holds one `select` lexeme or both of a `select_pairs` pair;
    candidates are ranked by every `rank` lexeme with its weight."""

    select: list[str]
    rank: list[tuple[str, float]]
    select_pairs: list[tuple[str, str]] = field(default_factory=list)
    phrases: list[tuple[str, float]] = field(default_factory=list)  # (tsquery, weight): rerank only


def lexeme_weight(lexeme: str, lexicon: Lexicon) -> float:
    """The IDF of one lexeme (an unknown one counts as rare, as in term_query)."""
    n = max(lexicon.chunks, 1)
    return idf(min(lexicon.frequency.get(lexeme, 1), n), n)


def term_query(lexemes: list[str], lexicon: Lexicon, common_fraction: float) -> TermQuery:
    """The full-text query for `lexemes`. A lexeme the lexicon does not know yet (indexed since it
    was read, or found nowhere) counts as rare: it costs nothing when it matches nothing."""
    n = max(lexicon.chunks, 1)
    counts = {lx: min(lexicon.frequency.get(lx, 1), n) for lx in dict.fromkeys(lexemes)}
    rare = [lx for lx, c in counts.items() if c <= common_fraction * n]
    rank = [(lx, idf(c, n)) for lx, c in counts.items()]
    if not rare:
        return TermQuery(list(counts), rank)
    common = sorted((lx for lx in counts if lx not in rare), key=counts.__getitem__)[:MAX_COMMON_PAIRED]
    pairs = [(a, b) for i, a in enumerate(common) for b in common[i + 1 :]]
    return TermQuery(rare, rank, pairs)
