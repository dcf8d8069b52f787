"""Markdown to blocks: headings set the path; paragraphs, lists, tables and fenced code become blocks.

A small line parser rather than a full CommonMark one: chunking only needs to know where blocks
begin and end and which heading they sit under. Fences are tracked first so that a `# comment`
inside a shell snippet never becomes a heading and a code block is never cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_TABLE = re.compile(r"^\s*\|")


@dataclass(frozen=True)
class Block:
    """One structural unit under a heading path. `kind`: paragraph, list, table or code."""

    heading_path: tuple[str, ...]
    kind: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")


def parse_blocks(markdown: str) -> list[Block]:
    """Blocks in document order, each with the heading path it sits under."""
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    current: list[str] = []
    kind = ""
    fence: str | None = None

    def path() -> tuple[str, ...]:
        return tuple(t for _, t in headings)

    def flush() -> None:
        nonlocal current, kind
        if current and any(line.strip() for line in current):
            while current and not current[-1].strip():
                current.pop()
            blocks.append(Block(path(), kind, tuple(current)))
        current, kind = [], ""

    def set_heading(level: int, title: str) -> None:
        while headings and headings[-1][0] >= level:
            headings.pop()
        if title:
            headings.append((level, title))

    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for line in lines:
        if fence is not None:
            current.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) <= {fence[0]} and len(stripped) >= len(fence):
                fence = None
                if kind == "code":
                    flush()
            continue
        fence_match = _FENCE.match(line)
        if fence_match:
            # An indented fence right under a list item belongs to that item; otherwise it is a block.
            if not (kind == "list" and fence_match.group(1)):
                flush()
                kind = "code"
            fence = fence_match.group(2)
            current.append(line)
            continue
        if not line.strip():
            if kind == "list":
                current.append(line)  # a list may continue after a blank line (loose list)
            else:
                flush()
            continue
        heading = _ATX.match(line)
        if heading:
            flush()
            set_heading(len(heading.group(1)), (heading.group(2) or "").strip())
            continue
        if _SETEXT.match(line) and kind == "paragraph" and len(current) == 1:
            title = current[0].strip()
            current, kind = [], ""
            set_heading(1 if line.strip().startswith("=") else 2, title)
            continue
        if _LIST_ITEM.match(line):
            if kind != "list":
                flush()
                kind = "list"
            current.append(line)
            continue
        if kind == "list":
            if line.startswith((" ", "\t")):
                current.append(line)  # continuation or nested item
                continue
            if current and current[-1].strip():
                current.append(line)  # lazy continuation of the item's paragraph
                continue
            flush()
        if _TABLE.match(line):
            if kind != "table":
                flush()
                kind = "table"
            current.append(line)
            continue
        if kind == "table":
            flush()
        if kind != "paragraph":
            flush()
            kind = "paragraph"
        current.append(line)
    flush()  # an unclosed fence runs to the end of the document, as in CommonMark
    return blocks


def list_items(block: Block) -> list[str]:
    """A list block split at its top-level items; nested items and code stay with their parent."""
    items: list[list[str]] = []
    fence: str | None = None
    for line in block.lines:
        stripped = line.strip()
        if (
            fence is None
            and _LIST_ITEM.match(line)
            and not line.startswith(("    ", "\t"))
            and (not items or not _is_nested(line, items[0][0]))
        ):
            items.append([line])
        elif items:
            items[-1].append(line)
        else:
            items.append([line])
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(2)
        elif fence is not None and stripped.startswith(fence) and set(stripped) <= {fence[0]}:
            fence = None
    return ["\n".join(i).strip("\n") for i in items if any(s.strip() for s in i)]


def _is_nested(line: str, first: str) -> bool:
    return len(line) - len(line.lstrip()) > len(first) - len(first.lstrip())
