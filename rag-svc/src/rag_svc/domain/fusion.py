"""Reciprocal rank fusion of the vector and full-text rankings (Cormack et al., 2009).

RRF needs no score calibration between cosine similarity and ts_rank, which live on unrelated
scales; k=60 is the paper's constant and keeps one list's top hit from drowning the other list.
"""

from __future__ import annotations

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Ids by fused score, best first; ties keep the order of first appearance."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(dict.fromkeys(i for r in rankings for i in r))}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
