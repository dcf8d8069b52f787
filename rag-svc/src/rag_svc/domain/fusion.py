"""Reciprocal rank fusion of the vector and full-text rankings (Cormack et al., 2009).

RRF needs no score calibration between cosine similarity and ts_rank, which live on unrelated
scales; k=60 is the paper's constant and keeps one list's top hit from drowning the other list.
The fused list is then capped per document, so one long page cannot fill a whole answer.
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


def cap_per_document(fused: list[tuple[str, float]], k: int, per_document: int) -> list[tuple[str, float]]:
    """The best `k` chunks with at most `per_document` from one document (a chunk id is
    `<document id>#<ordinal>`), in fused order; chunks over the cap only fill places nothing else can.

    A long wiki page has many chunks that all match its topic: uncapped, its sections take every
    place of the answer and hide the other runbooks a reader (or the agent) should see.
    """
    taken: list[tuple[str, float]] = []
    held_back: list[tuple[str, float]] = []
    per_doc: dict[str, int] = {}
    for item in fused:
        doc = item[0].rsplit("#", 1)[0]
        if per_doc.get(doc, 0) < per_document:
            per_doc[doc] = per_doc.get(doc, 0) + 1
            taken.append(item)
            if len(taken) == k:
                return taken
        else:
            held_back.append(item)
    order = {chunk_id: i for i, (chunk_id, _) in enumerate(fused)}
    return sorted(taken + held_back[: k - len(taken)], key=lambda item: order[item[0]])
