"""Chunks' tsvectors spell identifiers out, and chunks stored by an older tokenisation are rebuilt at startup."""

from __future__ import annotations

import pytest
from em_shared.testing.live import live_service
from rag_svc.app import create_service
from rag_svc.domain.documents import FULLTEXT_VERSION

RUNBOOK = "# Pods in CrashLoopBackOff\n\n## Symptoms\nKubePodCrashLooping fires; last state OOMKilled.\n"


async def matches(conn, doc_id: str, tsquery: str) -> list[int]:
    rows = await conn.fetch(
        "SELECT ordinal FROM chunks WHERE document_id = $1 AND tsv @@ to_tsquery('english', $2) ORDER BY ordinal",
        doc_id,
        tsquery,
    )
    return [r["ordinal"] for r in rows]


async def test_identifiers_are_searchable_as_words_and_old_rows_are_rebuilt(rag_settings, ready) -> None:
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            response = await http.put("/v1/documents/crashloop", json={"text": RUNBOOK, "kind": "runbook"})
            assert response.status_code == 200, response.text
        pool = svc.ctx.pool
        assert pool is not None
        async with pool.acquire() as conn:
            # Heading path (weight A) and body (weight B) both hold the words inside the identifiers.
            assert await matches(conn, "crashloop", "crash & loop & back") == [0]
            assert await matches(conn, "crashloop", "kube & pod & crash & looping & oom & killed") == [0]
            assert await matches(conn, "crashloop", "kubepodcrashloop") == [0]  # the whole word still matches
            assert set(await conn.fetch("SELECT DISTINCT tsv_version FROM chunks")) == {(FULLTEXT_VERSION,)}

            # A row written before identifiers were spelled out (as an older version stored it).
            await conn.execute("UPDATE chunks SET tsv = to_tsvector('english', text), tsv_version = 0")
            assert await matches(conn, "crashloop", "crash & looping") == []

        rebuilt = await svc.ctx.state["indexer"].refresh_fulltext(batch=1)
        assert rebuilt == 1
        async with pool.acquire() as conn:
            assert await matches(conn, "crashloop", "crash & looping & oom") == [0]
            assert (
                await conn.fetchval("SELECT count(*) FROM chunks WHERE tsv_version <> $1", FULLTEXT_VERSION)
                == 0
            )
        assert await svc.ctx.state["indexer"].refresh_fulltext() == 0  # nothing left to rebuild


QUOTED = (
    "# Workflow scheduler\n\n## Scheduler down\n"
    "The UI says: The scheduler does not appear to be running. Restart the scheduler pod."
)
SCATTERED = (
    "# Batch jobs\n\n## Missed runs\n"
    "A heartbeat of each job is received every minute. When the scheduler skipped a run, the "
    "scheduler logs it; running jobs report how many minutes late they are."
)


async def test_a_chunk_quoting_the_message_outranks_one_with_the_same_words_scattered(
    rag_settings, ready
) -> None:
    from em_shared.contracts.knowledge import SearchFilters
    from rag_svc.domain.phrases import phrase_terms
    from rag_svc.domain.query import phrase_text, search_terms
    from rag_svc.domain.term_weights import Lexicon, lexeme_weight, term_query
    from rag_svc.repository import search as repo

    settings = rag_settings()
    message = "The scheduler does not appear to be running. Last heartbeat was received 14 minutes ago."
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            for doc_id, text in (("quoted", QUOTED), ("scattered", SCATTERED)):
                response = await http.put(f"/v1/documents/{doc_id}", json={"text": text})
                assert response.status_code == 200, response.text
        pool = svc.ctx.pool
        assert pool is not None
        async with pool.acquire() as conn:
            lexicon = Lexicon(*await repo.lexicon(conn))
            terms = term_query(await repo.query_lexemes(conn, search_terms(message)), lexicon, 0.1)
            bag = await repo.text_candidates(conn, terms, SearchFilters(), 10)
            positions = await repo.query_positions(conn, phrase_text(message))
            terms.phrases.extend(
                phrase_terms(positions, {lx: lexeme_weight(lx, lexicon) for lx, _ in positions})
            )
            phrased = await repo.text_candidates(conn, terms, SearchFilters(), 10)
    assert [c.split("#")[0] for c, _ in bag] == ["scattered", "quoted"]  # words alone: the wrong page
    assert [c.split("#")[0] for c, _ in phrased] == ["quoted", "scattered"], (bag, phrased)
    assert dict(phrased)["scattered#0"] == pytest.approx(dict(bag)["scattered#0"])  # no pair there
