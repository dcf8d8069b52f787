"""Fusing the vector and full-text rankings, then capping chunks per document.

Search fuses by a convex combination of min-max normalised scores (convex_combination), which keeps
how clearly each ranking separates its candidates. Reciprocal rank fusion (Cormack et al., 2009)
stays for rankings without comparable scores. The fused list is then capped per document, so one
long page cannot fill a whole answer.
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


def normalized_scores(ranking: list[tuple[str, float]]) -> dict[str, float]:
    """Scores min-max scaled to [0, 1] over the ranking's own candidates (all 1.0 when they tie)."""
    if not ranking:
        return {}
    high = max(score for _, score in ranking)
    low = min(score for _, score in ranking)
    if high - low <= 1e-12:
        return {item: 1.0 for item, _ in ranking}
    return {item: (score - low) / (high - low) for item, score in ranking}


def convex_combination(
    scored_rankings: list[list[tuple[str, float]]], weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Ids by the weighted mean of their min-max normalised scores (0 where a ranking lacks them),
    best first; ties keep the order of first appearance.

    Ranks alone discard how sure each ranking is. Two near neighbours (consumer lag vs rebalance
    storm, public TLS vs mesh mTLS) often come first and second in both lists in opposite order, an
    exact tie for RRF; the scores say which list separates them clearly: a log line's rare token
    gives one runbook twice the full-text score of the next, while their cosine similarities
    differ in the third decimal. Min-max scaling over each list's candidates puts cosine and
    ts_rank on one scale without calibration (Bruch et al., "An Analysis of Fusion Functions for
    Hybrid Retrieval", 2023: a normalised convex combination beats RRF in and out of domain).
    """
    weights = weights or [1.0] * len(scored_rankings)
    normalized = [normalized_scores(ranking) for ranking in scored_rankings]
    order = {item: i for i, item in enumerate(dict.fromkeys(c for r in scored_rankings for c, _ in r))}
    total = sum(weights) or 1.0
    fused = {
        item: sum(w * n.get(item, 0.0) for w, n in zip(weights, normalized, strict=True)) / total
        for item in order
    }
    return sorted(fused.items(), key=lambda kv: (-kv[1], order[kv[0]]))


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
