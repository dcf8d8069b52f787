"""Markdown-aware chunking: bounded chunks that keep their heading path and never cut a code block.

A chunk never spans two sections (its heading path would lie). Inside a section, blocks are
packed up to `max_words`; an oversized paragraph splits at sentences, a list at its items, a
table at its rows; a fenced code block is never split (an oversized one is a chunk on its own).
The tail of a chunk (whole sentences/items, at most `overlap_words`) opens the next one, so an
answer that straddles a boundary is still found whole in one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag_svc.domain.html_markup import html_to_markdown
from rag_svc.domain.markdown import Block, list_items, parse_blocks

CHUNKER_VERSION = "md-2"  # part of the content hash: a new chunker re-chunks every document
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`\"'(\[])")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    heading_path: tuple[str, ...]
    text: str

    @property
    def words(self) -> int:
        return count_words(self.text)


@dataclass(frozen=True)
class _Piece:
    text: str
    sep: str  # joins this piece to the previous one: " " inside a paragraph, "\n" in lists, "\n\n" across blocks
    atomic: bool = False

    @property
    def words(self) -> int:
        return count_words(self.text)


def count_words(text: str) -> int:
    return len(text.split())


def chunk_markdown(markdown: str, max_words: int = 150, overlap_words: int = 30) -> list[Chunk]:
    """Chunks of `markdown` in order. Plain text works too: it is one headingless section; an HTML
    export is read as the Markdown it stands for (html_markup)."""
    if max_words < 10:
        raise ValueError("max_words must be at least 10")
    overlap_words = max(0, min(overlap_words, max_words // 2))
    sections: list[tuple[tuple[str, ...], list[Block]]] = []
    for block in parse_blocks(html_to_markdown(markdown)):
        if sections and sections[-1][0] == block.heading_path:
            sections[-1][1].append(block)
        else:
            sections.append((block.heading_path, [block]))
    chunks: list[Chunk] = []
    for path, blocks in sections:
        pieces = [p for b in blocks for p in _pieces(b, max_words)]
        for text in _pack(pieces, max_words, overlap_words):
            chunks.append(Chunk(len(chunks), path, text))
    return chunks


def _pieces(block: Block, max_words: int) -> list[_Piece]:
    text = block.text
    if block.kind == "code":
        return [_Piece(text, "\n\n", atomic=True)]
    if count_words(text) <= max_words:
        return [_Piece(text, "\n\n")]
    if block.kind == "list":
        parts, sep = list_items(block), "\n"
    elif block.kind == "table":
        parts, sep = list(block.lines), "\n"
    else:
        parts, sep = _SENTENCE.split(" ".join(line.strip() for line in block.lines)), " "
    out: list[_Piece] = []
    for i, part in enumerate(parts):
        first_sep = "\n\n" if i == 0 else sep
        if count_words(part) <= max_words or "```" in part or "~~~" in part:
            out.append(_Piece(part, first_sep, atomic="```" in part or "~~~" in part))
            continue
        words = part.split()  # one run-on sentence longer than a chunk: cut at word boundaries
        for j in range(0, len(words), max_words):
            out.append(_Piece(" ".join(words[j : j + max_words]), first_sep if j == 0 else " "))
    return out


def _pack(pieces: list[_Piece], max_words: int, overlap_words: int) -> list[str]:
    chunks: list[str] = []
    current: list[_Piece] = []
    fresh = 0  # pieces in `current` that are not overlap from the previous chunk
    for piece in pieces:
        size = sum(p.words for p in current)
        if current and fresh and size + piece.words > max_words:
            chunks.append(_join(current))
            current = _tail(current, overlap_words)
            if sum(p.words for p in current) + piece.words > max_words:
                current = []
            fresh = 0
        current.append(piece)
        fresh += 1
    if current and fresh:
        chunks.append(_join(current))
    return chunks


def _tail(pieces: list[_Piece], overlap_words: int) -> list[_Piece]:
    tail: list[_Piece] = []
    words = 0
    for piece in reversed(pieces):
        if piece.atomic or words + piece.words > overlap_words:
            break
        tail.insert(0, piece)
        words += piece.words
    return tail if len(tail) < len(pieces) else []


def _join(pieces: list[_Piece]) -> str:
    out = pieces[0].text
    for piece in pieces[1:]:
        out += piece.sep + piece.text
    return out.strip()
