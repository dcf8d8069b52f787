"""HTML in a runbook (Confluence/wiki exports, as .html files or saved as .md) turned into the Markdown
the chunker reads.

Teams export wiki pages and keep the HTML: `<h2>` headings, `<table class="confluenceTable">`,
`<pre><code>`, macros in `<div>`s. Left as is, the chunker sees one headingless paragraph, so every
chunk loses its section (heading path and title weigh most in the full-text ranking), and tag and
class names (`confluenceTd`, `aui-icon`) fill the chunks the embedding model and `ts_rank` read.
Only pages with several block-level tags are converted: a Markdown runbook that mentions `<div>` in
passing, or an inline `<br>`, stays untouched. A whole exported page also carries what is not content:
`<head>` (its `<title>` names the page), scripts, styles, comments, navigation and breadcrumbs; that
is dropped, or its words ("Platform", "Runbooks", "Created by") would sit in the first chunk.
"""

from __future__ import annotations

import html
import re

_BLOCK_TAG = re.compile(r"<(?:h[1-6]|p|div|table|tr|td|th|ul|ol|li|pre)\b[^>]*>", re.IGNORECASE)
MIN_BLOCK_TAGS = 3  # fewer: a Markdown page quoting a tag or two, not an HTML export
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]\s*>", re.IGNORECASE | re.DOTALL)
_INLINE_CODE = re.compile(r"<code\b[^>]*>(.*?)</code\s*>", re.IGNORECASE | re.DOTALL)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_EDGE = re.compile(r"</?(?:p|div|table|tbody|thead|ul|ol|blockquote)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*\b[^>]*>")
_GAP_IN_TABLE = re.compile(r"(?<=\|)\n\s*\n(?=\|)")
_SLOT = re.compile(r"\x00(\d+)\x00")
_NOT_CONTENT = re.compile(
    r"<(head|script|style|noscript|template|nav)\b[^>]*>.*?</\1\s*>"
    r"|<(ol|ul|div)\b[^>]*\b(?:id|class)=[\"'][^\"']*breadcrumb[^\"']*[\"'][^>]*>.*?</\2\s*>"
    r"|<!--.*?-->|<![A-Za-z][^>]*>|<\?[^>]*\?>",
    re.IGNORECASE | re.DOTALL,
)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def looks_like_html(text: str) -> bool:
    return len(_BLOCK_TAG.findall(text)) >= MIN_BLOCK_TAGS


def html_to_markdown(text: str) -> str:
    """Headings, table rows, list items and preformatted blocks as Markdown; other tags dropped,
    entities decoded. Text that is not an HTML export is returned unchanged."""
    if not looks_like_html(text):
        return text
    code_blocks: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        body = html.unescape(_ANY_TAG.sub("", match.group(1))).strip("\n")
        code_blocks.append(f"\n\n```\n{body}\n```\n\n")
        return f"\x00{len(code_blocks) - 1}\x00"

    out = _PRE.sub(keep_code, _NOT_CONTENT.sub("", text))
    out = _HEADING.sub(lambda m: f"\n\n{'#' * int(m.group(1))} {_inline(m.group(2))}\n\n", out)
    out = _ROW.sub(lambda m: "\n| " + " | ".join(_inline(c) for c in _CELL.findall(m.group(1))) + " |\n", out)
    out = _INLINE_CODE.sub(lambda m: f"`{m.group(1)}`", out)
    out = _LIST_ITEM.sub("\n- ", out)
    out = _LINE_BREAK.sub("\n", out)
    out = _BLOCK_EDGE.sub("\n\n", out)
    out = html.unescape(_ANY_TAG.sub("", out))
    out = _SLOT.sub(lambda m: code_blocks[int(m.group(1))], out)
    out = "\n".join(line.rstrip() for line in out.split("\n"))
    out = _GAP_IN_TABLE.sub("\n", out)  # rows of one table stay one Markdown table
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


def html_page_title(text: str) -> str | None:
    """The `<title>` of a whole exported page (used when it has no `<h1>`)."""
    match = _TITLE.search(text) if looks_like_html(text) else None
    return (_inline(match.group(1)) or None) if match else None


def _inline(fragment: str) -> str:
    """A heading's or cell's content on one line, tags dropped (a `|` would split the cell)."""
    text = _INLINE_CODE.sub(lambda m: f"`{m.group(1)}`", fragment)
    text = html.unescape(_ANY_TAG.sub("", text))
    return " ".join(text.split()).replace("|", "/")
