"""Full-text term weights (inverse document frequency) and which words select candidates."""

from __future__ import annotations

import pytest
from rag_svc.domain.term_weights import Lexicon, idf, term_query

LEXICON = Lexicon(chunks=100, frequency={"deadlock": 1, "lock": 8, "contain": 40, "restart": 30, "fail": 60})


def test_rarer_words_weigh_more_and_weights_stay_positive() -> None:
    assert idf(1, 100) > idf(8, 100) > idf(40, 100) > idf(100, 100) > 0


def test_common_words_rank_but_only_rare_ones_select() -> None:
    q = term_query(["deadlock", "contain", "lock"], LEXICON, common_fraction=0.1)
    assert q.select == ["deadlock", "lock"]
    weights = dict(q.rank)
    assert set(weights) == {"deadlock", "contain", "lock"}
    assert weights["deadlock"] > weights["lock"] > weights["contain"]


def test_pairs_of_common_words_also_select_rarest_first() -> None:
    q = term_query(["deadlock", "fail", "contain", "restart"], LEXICON, common_fraction=0.1)
    assert q.select == ["deadlock"]
    assert q.select_pairs == [("restart", "contain"), ("restart", "fail"), ("contain", "fail")]


def test_only_common_words_all_select() -> None:
    q = term_query(["contain", "restart"], LEXICON, common_fraction=0.1)
    assert q.select == ["contain", "restart"]
    assert q.select_pairs == []


def test_unknown_words_count_as_rare() -> None:
    # Indexed after the lexicon was read, or found nowhere: either way it may select.
    q = term_query(["kubepodcrashloop", "fail"], LEXICON, common_fraction=0.1)
    assert q.select == ["kubepodcrashloop"]
    assert dict(q.rank)["kubepodcrashloop"] == pytest.approx(idf(1, 100))


def test_an_empty_lexicon_weighs_every_word_alike() -> None:
    q = term_query(["a1", "b2"], Lexicon(), common_fraction=0.1)
    assert q.select == ["a1", "b2"]
    assert dict(q.rank)["a1"] == dict(q.rank)["b2"]
