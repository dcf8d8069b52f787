"""Documents: front matter, content hash, incident documents."""

from __future__ import annotations

from datetime import UTC, datetime

from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from rag_svc.domain.documents import Document, document_from_file, embedding_input, valid_document_id
from rag_svc.domain.incidents import incident_document, timeline_notes


def test_front_matter_gives_metadata_and_is_not_indexed_text() -> None:
    raw = "---\ntitle: Disk full\nservice: db\nteam: data\ntags: [Disk, linux]\n---\n# Heading\n\nBody."
    doc = document_from_file("file:disk", raw, "disk", "https://git/x.md")
    assert (doc.title, doc.service, doc.team, doc.tags, doc.kind) == (
        "Disk full",
        "db",
        "data",
        ("disk", "linux"),
        "runbook",
    )
    assert doc.text.startswith("# Heading") and "title:" not in doc.text
    assert doc.url == "https://git/x.md"
    assert document_from_file("file:x", "# First H1\n\ntext", "x", None).title == "First H1"
    assert document_from_file("file:x", "no heading", "fallback name", None).title == "fallback name"


def test_content_hash_changes_with_text_metadata_and_chunking() -> None:
    base = Document(id="d", text="hello", title="t", tags=("a",))
    same = Document(id="d", text="hello", title="t", tags=("a",))
    assert base.content_hash(150, 30) == same.content_hash(150, 30)
    assert base.content_hash(150, 30) != Document(id="d", text="hello!", title="t").content_hash(150, 30)
    assert base.content_hash(150, 30) != Document(id="d", text="hello", title="t", tags=("b",)).content_hash(
        150, 30
    )
    assert base.content_hash(150, 30) != base.content_hash(100, 30)


def test_embedding_input_carries_title_and_heading_path_once() -> None:
    assert embedding_input("Disk full", ("Disk full", "Fix"), "rotate logs") == "Disk full > Fix\nrotate logs"
    assert embedding_input(None, (), "text") == "text"


def test_document_ids() -> None:
    assert valid_document_id("runbooks/disk-full.v2")
    assert valid_document_id("incident:3f2a")
    assert not valid_document_id("../etc/passwd")
    assert not valid_document_id("has space")
    assert not valid_document_id("")


def test_resolved_incident_becomes_a_document_with_notes() -> None:
    event = IncidentChanged(
        id="e1",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        source="incident",
        change="resolved",
        sequence=4,
        incident=IncidentSnapshot(
            id="inc-1",
            number=42,
            title="Checkout 5xx after deploy",
            state="resolved",
            severity="high",
            service="checkout",
            team="payments",
            opened_at=datetime(2026, 1, 1, tzinfo=UTC),
            summary="Bad config in release 3.2",
        ),
        details={
            "timeline": [{"text": "Rolled back release 3.2"}, {"note": "Errors recovered"}],
            "root_cause": "feature flag default flipped",
        },
    )
    doc = incident_document(event, ["Customer comms sent"])
    assert doc.id == "incident:inc-1" and doc.kind == "incident" and doc.service == "checkout"
    assert doc.title == "Incident #42: Checkout 5xx after deploy"
    for needle in (
        "Bad config in release 3.2",
        "Rolled back release 3.2",
        "Errors recovered",
        "Customer comms sent",
        "Root cause: feature flag default flipped",
        "Service: checkout",
    ):
        assert needle in doc.text
    assert timeline_notes({"timeline": ["a", {"message": "b"}, 3]}) == ["a", "b"]
