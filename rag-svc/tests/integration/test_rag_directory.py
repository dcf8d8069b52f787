"""RAG_DOCS_DIR: indexed at startup and on POST /v1/reindex; a model change re-embeds every chunk."""

from __future__ import annotations

from em_shared.testing.live import live_service
from rag_svc.app import create_service


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


async def doc_ids(http, query: str) -> set[str]:
    response = await http.post("/v1/search", json={"query": query, "k": 20})
    return {h["document_id"] for h in response.json()["results"]}


async def test_directory_sync_startup_and_on_demand(tmp_path, rag_settings, ready) -> None:
    write(
        tmp_path / "disk.md",
        "---\ntitle: Disk full\nservice: nodes\ntags: [disk]\n---\n# Disk\n\nRotate logs.",
    )
    write(tmp_path / "team/dns.md", "# DNS failures\n\nScale CoreDNS replicas.")
    write(tmp_path / "notes.txt", "Plain text note about certificates expiring.")
    # A wiki's HTML export, as Confluence writes it: one .html page per runbook.
    write(
        tmp_path / "wiki/Flags_4242.html",
        "<html><head><title>Ops : Feature toggle off</title><style>p {}</style></head><body>"
        '<ol id="breadcrumbs"><li>Ops</li><li>Runbooks</li></ol>'
        "<h2>Turn it off</h2><p>Switch the unleash toggle off.</p><ul><li>Post in #incidents.</li></ul>"
        "</body></html>",
    )
    write(tmp_path / ".git/HEAD.md", "# not a runbook\n\ngit internals")
    write(tmp_path / "image.png", "not text")
    settings = rag_settings(
        docs_dir=str(tmp_path), docs_base_url="https://git.example.com/runbooks/blob/main"
    )
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            status = (await http.get("/v1/index")).json()
            assert status["documents"] == 4
            assert await doc_ids(http, "rotate logs coredns certificates git internals unleash") == {
                "file:disk",
                "file:team/dns",
                "file:notes",
                "file:wiki/Flags_4242",
            }
            page = (await http.post("/v1/search", json={"query": "unleash toggle", "k": 1})).json()
            hit = page["results"][0]
            assert (hit["title"], hit["heading_path"]) == ("Ops : Feature toggle off", ["Turn it off"])
            assert "<" not in hit["text"] and "Runbooks" not in hit["text"]
            meta = (await http.get("/v1/documents/file:disk")).json()
            assert (meta["title"], meta["service"], meta["kind"], meta["source"]) == (
                "Disk full",
                "nodes",
                "runbook",
                "dir",
            )
            assert meta["url"] == "https://git.example.com/runbooks/blob/main/disk.md"

            unchanged = (await http.post("/v1/reindex")).json()
            assert (unchanged["indexed"], unchanged["unchanged"], unchanged["deleted"]) == (0, 4, 0)

            write(tmp_path / "disk.md", "# Disk\n\nExpand the volume with growpart.")
            (tmp_path / "notes.txt").unlink()
            write(tmp_path / "oom.md", "# OOM killed\n\nRaise the memory limit.")
            report = (await http.post("/v1/reindex")).json()
            assert (report["indexed"], report["unchanged"], report["deleted"]) == (2, 2, 1)
            found = await doc_ids(http, "growpart memory certificates rotate")
            assert found == {
                "file:disk",
                "file:oom",
                "file:team/dns",
                "file:wiki/Flags_4242",
            }  # notes.txt left
            hits = (await http.post("/v1/search", json={"query": "growpart", "k": 1})).json()["results"]
            assert hits[0]["text"] == "Expand the volume with growpart."
            # An API document is not the directory's: a directory sync never deletes it.
            await http.put("/v1/documents/api-doc", json={"text": "certificates from the api"})
            await http.post("/v1/reindex")
            assert "api-doc" in await doc_ids(http, "certificates")


async def test_reindex_without_a_directory_is_a_400(rag_settings, ready) -> None:
    settings = rag_settings()
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            response = await http.post("/v1/reindex")
    assert response.status_code == 400 and "RAG_DOCS_DIR" in response.text


async def test_model_change_reembeds_every_chunk(tmp_path, rag_settings, fake_embeddings, ready) -> None:
    write(tmp_path / "a.md", "# A\n\nAlpha runbook text.\n\n## More\n\nSecond section.")
    first = rag_settings(docs_dir=str(tmp_path))
    async with live_service(create_service(first), first) as svc:
        await ready(svc)
        async with svc.client() as http:
            await http.put("/v1/documents/api-doc", json={"text": "api document text"})
            assert (await http.get("/v1/documents/file:a")).json()["models"] == ["openai:fake-bow"]

    before = fake_embeddings.inputs_seen()
    second = rag_settings(docs_dir=str(tmp_path), embeddings_model="fake-bow-v2")
    async with live_service(create_service(second), second) as svc:
        await ready(svc)
        async with svc.client() as http:
            for doc_id in ("file:a", "api-doc"):
                assert (await http.get(f"/v1/documents/{doc_id}")).json()["models"] == ["openai:fake-bow-v2"]
            hits = (await http.post("/v1/search", json={"query": "alpha runbook"})).json()["results"]
            assert hits[0]["document_id"] == "file:a"
    requests = fake_embeddings.requests[-3:]
    assert any(r["model"] == "fake-bow-v2" for r in requests)
    assert fake_embeddings.inputs_seen() - before >= 3  # 2 directory chunks + 1 API chunk (+ queries)


async def test_two_formats_of_one_name_are_two_documents(tmp_path, rag_settings, ready) -> None:
    """A wiki export beside the Markdown it came from: both are indexed, neither overwrites the other
    on every sync (one id per file; the second of a name keeps its suffix)."""
    write(tmp_path / "deploy.md", "# Deploy\n\nRoll out with the canary pipeline.")
    write(tmp_path / "deploy.html", "<h1>Deploy (wiki)</h1><p>Freeze windows are announced in #releases.</p>")
    settings = rag_settings(docs_dir=str(tmp_path))
    async with live_service(create_service(settings), settings) as svc:
        await ready(svc)
        async with svc.client() as http:
            assert (await http.get("/v1/index")).json()["documents"] == 2
            assert await doc_ids(http, "canary pipeline freeze windows releases") == {
                "file:deploy",
                "file:deploy.md",
            }
            again = (await http.post("/v1/reindex")).json()
            assert (again["indexed"], again["unchanged"], again["deleted"]) == (0, 2, 0)
