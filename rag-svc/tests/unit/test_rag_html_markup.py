"""Wiki/Confluence HTML exports are chunked as the Markdown they stand for."""

from __future__ import annotations

from rag_svc.domain.chunking import chunk_markdown
from rag_svc.domain.documents import document_from_file
from rag_svc.domain.html_markup import html_to_markdown, looks_like_html

CONFLUENCE = """<h1>Cache warm-up after failover</h1>
<div class="confluence-information-macro"><p>Owner: storage &amp; caching</p></div>
<h2 id="x-Check">Check</h2>
<table class="confluenceTable"><tbody>
<tr><th class="confluenceTh">Signal</th><th class="confluenceTh">Meaning</th></tr>
<tr><td class="confluenceTd"><code>hit_ratio &lt; 0.5</code></td><td class="confluenceTd">cold cache</td></tr>
</tbody></table>
<h2>Fix</h2>
<ol><li>Run the warmer.</li><li>Watch the hit ratio.</li></ol>
<pre><code>kubectl -n cache rollout restart deploy/warmer
# not a heading
</code></pre>
"""


def test_headings_become_sections_and_markup_disappears() -> None:
    chunks = chunk_markdown(CONFLUENCE)
    paths = [c.heading_path for c in chunks]
    assert ("Cache warm-up after failover", "Check") in paths
    assert ("Cache warm-up after failover", "Fix") in paths
    text = "\n".join(c.text for c in chunks)
    assert "confluenceTd" not in text and "class=" not in text
    assert not any(tag in text for tag in ("<h2", "<td", "<tr", "<li", "<pre", "</"))
    assert "storage & caching" in text


def test_table_rows_stay_one_table_with_cells_and_entities_decoded() -> None:
    md = html_to_markdown(CONFLUENCE)
    assert "| Signal | Meaning |\n| `hit_ratio < 0.5` | cold cache |" in md


def test_preformatted_blocks_stay_code_whose_hash_lines_are_not_headings() -> None:
    chunks = chunk_markdown(CONFLUENCE)
    fix = [c for c in chunks if c.heading_path[-1] == "Fix"]
    assert any(
        "```\nkubectl -n cache rollout restart deploy/warmer\n# not a heading\n```" in c.text for c in fix
    )
    assert all("not a heading" not in " ".join(c.heading_path) for c in chunks)


def test_the_html_title_names_a_document_without_front_matter() -> None:
    doc = document_from_file("file:cache", CONFLUENCE, "cache", None)
    assert doc.title == "Cache warm-up after failover"


def test_markdown_that_only_mentions_a_tag_is_left_alone() -> None:
    md = "# Ingress\n\nThe error page is a `<div>` with the request id.<br>\n\n- item\n"
    assert not looks_like_html(md)
    assert html_to_markdown(md) == md


EXPORTED_PAGE = """<!DOCTYPE html>
<html><head><title>Platform : Redis failover</title>
<script>var pageId = 12345;</script><style>.x { color: red }</style></head>
<body><div id="breadcrumb-section"><ol id="breadcrumbs"><li><a href="index.html">Platform</a></li>
<li><a href="Runbooks.html">Runbooks</a></li></ol></div>
<!-- exported 2026-08-14 -->
<h2>Promote a replica</h2><p>Run <code>FAILOVER</code> on the replica.</p>
<ul><li>Check the replication offset first.</li></ul>
</body></html>
"""


def test_a_whole_exported_page_keeps_only_its_content() -> None:
    md = html_to_markdown(EXPORTED_PAGE)
    assert md.startswith("## Promote a replica")
    for noise in ("pageId", "color", "Platform", "Runbooks", "exported", "DOCTYPE", "<"):
        assert noise not in md
    assert "Run `FAILOVER` on the replica." in md and "- Check the replication offset first." in md


def test_a_page_without_h1_is_named_by_its_html_title() -> None:
    doc = document_from_file("file:redis", EXPORTED_PAGE, "redis", None)
    assert doc.title == "Platform : Redis failover"
    assert [c.heading_path for c in doc.chunks(150, 30)] == [("Promote a replica",)]
