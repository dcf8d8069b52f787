"""Query phrases: adjacent lexeme pairs at the query's own distance, for reranking full-text candidates."""

from __future__ import annotations

import pytest
from rag_svc.domain.phrases import MAX_PHRASES, PHRASE_SCALE, phrase_terms
from rag_svc.domain.query import phrase_text


def test_pairs_follow_query_order_with_stop_word_gaps() -> None:
    # to_tsvector('english', 'The scheduler does not appear to be running'): stop words keep their place.
    positions = [("schedul", [2]), ("appear", [5]), ("run", [8])]
    terms = dict(phrase_terms(positions, {"schedul": 2.0, "appear": 1.0, "run": 3.0}))
    assert terms == {
        "'schedul' <3> 'appear'": pytest.approx(PHRASE_SCALE * 1.5),
        "'appear' <3> 'run'": pytest.approx(PHRASE_SCALE * 2.0),
    }


def test_distant_words_numbers_and_repeats_make_no_pair() -> None:
    positions = [("heap", [1, 2]), ("space", [3]), ("137", [4]), ("exit", [5]), ("code", [10])]
    assert [q for q, _ in phrase_terms(positions, {})] == ["'heap' <-> 'space'"]


def test_a_long_paste_keeps_its_first_pairs() -> None:
    positions = [(f"w{chr(97 + i)}", [i + 1]) for i in range(26)]
    terms = phrase_terms(positions, {})
    assert len(terms) == MAX_PHRASES and terms[0][0] == "'wa' <-> 'wb'"


def test_identifiers_are_spelled_in_place_and_alert_labels_dropped() -> None:
    text = phrase_text(
        "[FIRING:1] JvmHeapUsageHigh namespace=search java.lang.OutOfMemoryError: Java heap space"
    )
    assert text == "jvm heap usage high java lang out of memory error: Java heap space"
