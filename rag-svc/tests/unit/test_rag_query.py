"""Query shaping (identifier splitting, OR terms, validation) and reciprocal rank fusion."""

from __future__ import annotations

import pytest
from rag_svc.domain.exact_index import ExactIndex
from rag_svc.domain.fusion import reciprocal_rank_fusion
from rag_svc.domain.query import (
    QueryRejected,
    expand_query,
    search_terms,
    split_identifier,
    validate_query,
)


def test_alert_identifiers_become_words() -> None:
    assert split_identifier("KubePodCrashLooping") == ["Kube", "Pod", "Crash", "Looping"]
    assert split_identifier("disk_used_percent") == ["disk", "used", "percent"]
    assert split_identifier("HTTPServerErrors") == ["HTTP", "Server", "Errors"]
    assert "kube pod crash looping" in expand_query("[FIRING:1] KubePodCrashLooping")


def test_search_terms_drop_alert_boilerplate_and_numbers() -> None:
    terms = search_terms("[FIRING:1] alertname=HighDiskUsage severity=critical instance=db-3:9100 95%")
    assert {"high", "disk", "usage", "highdiskusage"} <= set(terms)
    assert not {"firing", "severity", "critical", "alertname", "instance", "95", "1"} & set(terms)


def test_search_terms_cannot_inject_tsquery_syntax() -> None:
    terms = search_terms("disk & !full | (x:* <-> 'y')")
    assert all(t.isalnum() for t in terms)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "x" * 2001])
def test_invalid_queries_are_rejected_with_a_reason(bad: str) -> None:
    with pytest.raises(QueryRejected, match="query"):
        validate_query(bad)


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["d", "b", "e"]])
    order = [item for item, _ in fused]
    assert order[0] == "b"  # 2nd in both beats 1st in one
    assert order[1:3] == ["a", "d"]  # equal scores keep first appearance
    assert set(order) == {"a", "b", "c", "d", "e"}
    assert fused[0][1] == pytest.approx(2 / 62)


def test_exact_index_ranks_by_cosine_and_respects_allowed_ids() -> None:
    import numpy as np

    m = np.eye(4, dtype=np.float32)
    index = ExactIndex(["a", "b", "c", "d"], m, generation=1)
    q = np.array([0.1, 0.9, 0.4, 0.0], dtype=np.float32)
    assert index.nearest(q, 3) == ["b", "c", "a"]
    assert index.nearest(q, 3, allowed=["a", "d"]) == ["a", "d"]
    assert index.nearest(q, 3, allowed=[]) == []
    assert index.nearest(np.ones(3, dtype=np.float32), 3) == []  # another model's dimension


def test_answer_holds_at_most_three_chunks_of_one_document_when_others_matched() -> None:
    from rag_svc.domain.fusion import cap_per_document

    fused = [(f"file:wiki#{i}", 1.0 - i / 100) for i in range(6)] + [("file:a#0", 0.5), ("file:b#2", 0.4)]
    capped = cap_per_document(fused, k=5, per_document=3)
    assert [c for c, _ in capped] == ["file:wiki#0", "file:wiki#1", "file:wiki#2", "file:a#0", "file:b#2"]


def test_chunks_over_the_cap_fill_places_nothing_else_can_in_fused_order() -> None:
    from rag_svc.domain.fusion import cap_per_document

    fused = [("doc:x#0", 0.9), ("doc:x#1", 0.8), ("other#0", 0.7), ("doc:x#2", 0.6)]
    assert [c for c, _ in cap_per_document(fused, k=4, per_document=1)] == [
        "doc:x#0",
        "doc:x#1",
        "other#0",
        "doc:x#2",
    ]
    assert [c for c, _ in cap_per_document(fused, k=2, per_document=1)] == ["doc:x#0", "other#0"]
    assert cap_per_document([], k=3, per_document=1) == []
