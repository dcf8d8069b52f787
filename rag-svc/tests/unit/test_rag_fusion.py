"""Score fusion: how sure each ranking is decides ties that reciprocal rank fusion cannot."""

from __future__ import annotations

import numpy as np
import pytest
from rag_svc.domain.exact_index import ExactIndex
from rag_svc.domain.fusion import convex_combination, normalized_scores, reciprocal_rank_fusion


def test_the_ranking_that_separates_two_candidates_clearly_decides_between_them() -> None:
    # Vector: a and b nearly equal; full text: b far ahead of a (a rare log token matched).
    vector = [("a", 0.529), ("b", 0.526), ("c", 0.40)]
    text = [("b", 0.94), ("a", 0.52), ("c", 0.10)]
    rrf = reciprocal_rank_fusion([[c for c, _ in vector], [c for c, _ in text]])
    assert rrf[0][1] == pytest.approx(rrf[1][1])  # ranks alone: a tie
    fused = convex_combination([vector, text])
    assert [item for item, _ in fused][:2] == ["b", "a"]


def test_scores_are_scaled_per_ranking_and_missing_items_count_zero() -> None:
    fused = dict(convex_combination([[("x", 0.8), ("y", 0.6), ("z", 0.4)], [("y", 12.0), ("w", 2.0)]]))
    assert fused["y"] == pytest.approx((0.5 + 1.0) / 2)
    assert fused["x"] == pytest.approx(0.5)  # top of the vector list, absent from full text
    assert fused["z"] == pytest.approx(0.0)
    assert fused["w"] == pytest.approx(0.0)


def test_weights_shift_the_balance_between_rankings() -> None:
    rankings = [[("v", 1.0), ("t", 0.0)], [("t", 1.0), ("v", 0.0)]]
    assert convex_combination(rankings, weights=[2.0, 1.0])[0][0] == "v"
    assert convex_combination(rankings, weights=[1.0, 2.0])[0][0] == "t"


def test_one_candidate_or_equal_scores_count_as_full_matches_and_empty_lists_are_harmless() -> None:
    assert normalized_scores([("only", 0.3)]) == {"only": 1.0}
    assert normalized_scores([("a", 0.5), ("b", 0.5)]) == {"a": 1.0, "b": 1.0}
    assert convex_combination([[], [("t", 0.2)]]) == [("t", pytest.approx(0.5))]
    assert convex_combination([[], []]) == []


def test_ties_keep_the_order_of_first_appearance() -> None:
    fused = convex_combination([[("a", 1.0), ("b", 0.0)], [("b", 1.0), ("a", 0.0)]])
    assert [item for item, _ in fused] == ["a", "b"]


def test_exact_index_returns_the_cosine_similarity_with_each_id() -> None:
    index = ExactIndex(["a", "b", "c"], np.eye(3, dtype=np.float32), generation=1)
    q = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    assert index.nearest_scored(q, 2) == [("b", pytest.approx(0.8)), ("a", pytest.approx(0.6))]
    assert index.nearest_scored(q, 2, allowed=["c", "a"]) == [
        ("a", pytest.approx(0.6)),
        ("c", pytest.approx(0.0)),
    ]
