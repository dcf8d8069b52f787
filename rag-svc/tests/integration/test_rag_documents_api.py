"""PUT/DELETE /v1/documents: indexing, no-op on unchanged content, atomic replacement, deletion."""

from __future__ import annotations

from em_shared.testing.live import live_service
from rag_svc.app import create_service

RUNBOOK = """# Disk full on database hosts

## Symptoms
The volume holding the write-ahead log reaches 100 percent and writes fail.

## Fix
Drop the inactive replication slot that pins old WAL segments, then run a checkpoint.
"""


async def search(http, query: str, **filters):
    response = await http.post("/v1/search", json={"query": query, "k": 5, "filters": filters})
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_document_lifecycle(rag_settings, fake_embeddings, ready) -> None:
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            body = {
                "title": "WAL disk full",
                "text": RUNBOOK,
                "kind": "runbook",
                "service": "orders-db",
                "team": "data",
                "tags": ["Postgres", "disk"],
                "url": "https://wiki/wal",
            }
            first = await http.put("/v1/documents/runbooks/wal-disk", json=body)
            assert first.status_code == 200, first.text
            assert first.json() == {
                "document_id": "runbooks/wal-disk",
                "status": "indexed",
                "chunks": 2,
                "embedded": 2,
            }

            hits = await search(http, "replication slot pins WAL")
            assert hits[0]["document_id"] == "runbooks/wal-disk"
            assert hits[0]["heading_path"] == ["Disk full on database hosts", "Fix"]
            assert "replication slot" in hits[0]["text"]
            assert hits[0]["chunk_id"] == "runbooks/wal-disk#1"
            assert (hits[0]["title"], hits[0]["kind"], hits[0]["url"]) == (
                "WAL disk full",
                "runbook",
                "https://wiki/wal",
            )
            assert hits[0]["score"] > 0

            seen = fake_embeddings.inputs_seen()
            again = await http.put("/v1/documents/runbooks/wal-disk", json=body)
            assert again.json()["status"] == "unchanged"
            assert fake_embeddings.inputs_seen() == seen  # nothing embedded for a no-op

            # Change only the Fix section: its chunk is re-embedded, the unchanged one reuses its vector.
            changed = dict(
                body,
                text=RUNBOOK.replace(
                    "Drop the inactive replication slot that pins old WAL segments, then run a checkpoint.",
                    "Grow the volume online and archive segments to object storage.",
                ),
            )
            replaced = await http.put("/v1/documents/runbooks/wal-disk", json=changed)
            assert replaced.json() == {
                "document_id": "runbooks/wal-disk",
                "status": "indexed",
                "chunks": 2,
                "embedded": 1,
            }
            texts = " ".join(h["text"] for h in await search(http, "replication slot archive volume"))
            assert "Grow the volume online" in texts and "replication slot" not in texts

            meta = (await http.get("/v1/documents/runbooks/wal-disk")).json()
            assert meta["chunk_count"] == 2 and meta["tags"] == ["disk", "postgres"]
            assert meta["models"] == ["openai:fake-bow"]

            assert (await http.delete("/v1/documents/runbooks/wal-disk")).status_code == 204
            assert await search(http, "replication slot archive volume grow") == []
            missing = await http.delete("/v1/documents/runbooks/wal-disk")
            assert missing.status_code == 404 and missing.json()["error"] == "not_found"
            assert (await http.get("/v1/documents/runbooks/wal-disk")).status_code == 404


async def test_bad_documents_get_clear_400s(rag_settings, ready) -> None:
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            cases = [
                ("ok-id", {"title": "no text"}, "text"),
                ("ok-id", {"text": "x", "colour": "red"}, "colour"),
                ("ok-id", {"text": "x", "kind": "recipe"}, "kind"),
                ("ok-id", {"text": "   \n "}, "empty"),
                ("bad%20id", {"text": "x"}, "invalid document id"),
            ]
            for doc_id, body, reason in cases:
                response = await http.put(f"/v1/documents/{doc_id}", json=body)
                assert response.status_code == 400, (body, response.text)
                assert reason in response.text, response.text
