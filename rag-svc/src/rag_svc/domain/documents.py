"""What a document is: its metadata, its content hash, its chunks, and how files and incidents become one.

The content hash covers everything that shapes the stored chunks (text, metadata, chunker
version), so re-ingesting an unchanged document is a no-op and any change replaces its chunks.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from rag_svc.domain.chunking import CHUNKER_VERSION, Chunk, chunk_markdown
from rag_svc.domain.html_markup import html_page_title, html_to_markdown
from rag_svc.domain.identifiers import fulltext_input

# What a chunk's tsvector is built from; bumped when that changes, so stored chunks are rebuilt
# at startup (1: identifiers spelled out as words).
FULLTEXT_VERSION = 1

KINDS = ("runbook", "incident", "postmortem", "doc")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$")


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str | None = None
    kind: str = "doc"
    service: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    source: str = "api"  # api | dir | incident: who owns its lifecycle
    extra: dict[str, str] = field(default_factory=dict)

    def content_hash(self, chunk_max_words: int, chunk_overlap_words: int) -> str:
        payload = [
            self.text,
            self.title,
            self.kind,
            self.service,
            self.team,
            sorted(self.tags),
            self.url,
            CHUNKER_VERSION,
            chunk_max_words,
            chunk_overlap_words,
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()

    def chunks(self, max_words: int, overlap_words: int) -> list[Chunk]:
        return chunk_markdown(self.text, max_words, overlap_words)


def valid_document_id(doc_id: str) -> bool:
    return bool(_ID.match(doc_id)) and ".." not in doc_id


def normalize_tags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({t.strip().lower() for t in tags if t.strip()}))


def embedding_input(title: str | None, heading_path: tuple[str, ...], text: str) -> str:
    """What the model reads for a chunk: title and heading path give a short chunk its context."""
    trail = [h for h in heading_path if h != title]
    head = " > ".join([t for t in (title, *trail) if t])
    return f"{head}\n{text}" if head else text


def fulltext_inputs(title: str | None, heading_path: tuple[str, ...], text: str) -> tuple[str, str]:
    """The heading part (title and heading path, ranked higher) and the body of a chunk's tsvector."""
    head = " ".join([title or "", *heading_path]).strip()
    return fulltext_input(head), fulltext_input(text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def parse_front_matter(raw: str) -> tuple[dict[str, str | list[str]], str]:
    """`key: value` front matter (the YAML subset runbooks use) and the body after it."""
    match = _FRONT.match(raw)
    if not match:
        return {}, raw
    meta: dict[str, str | list[str]] = {}
    for line in match.group(1).splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        if value.startswith("[") and value.endswith("]"):
            meta[key.lower()] = [v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip()]
        else:
            meta[key.lower()] = value.strip("'\"")
    return meta, raw[match.end() :]


def document_from_file(doc_id: str, raw: str, fallback_title: str, url: str | None) -> Document:
    """A runbook file: front matter gives metadata, else the first H1 (else the file name) is the title."""
    meta, body = parse_front_matter(raw)

    def one(key: str) -> str | None:
        value = meta.get(key)
        return value if isinstance(value, str) and value else None

    tags = meta.get("tags", [])
    if isinstance(tags, str):
        tags = [t for t in tags.split(",")]
    h1 = _H1.search(html_to_markdown(body))  # an HTML export's <h1> is its title too
    return Document(
        id=doc_id,
        text=body,
        title=one("title") or (h1.group(1) if h1 else html_page_title(body) or fallback_title),
        kind=one("kind") or "runbook",
        service=one("service"),
        team=one("team"),
        tags=normalize_tags(tags),
        url=one("url") or url,
        source="dir",
    )
