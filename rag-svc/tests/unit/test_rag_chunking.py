"""Chunking on tricky Markdown: fences with '#' lines, oversized code, nested lists, setext, tables."""

from __future__ import annotations

import itertools

from rag_svc.domain.chunking import chunk_markdown, count_words
from rag_svc.domain.markdown import parse_blocks

TRICKY = """Intro line before any heading.

# Payments runbook

Setext Section
--------------

Text under a setext heading.

## Diagnose

1. Check the pods:
   ```bash
   kubectl get pods
   # this is a shell comment, not a heading
   ```
2. Then the logs.
   - nested item stays with item 2

```python
# also not a heading
def f():
    return 1
```

| metric | threshold |
|---|---|
| p99 | 800ms |

### Deep
Deep text.

# Second top

Back at level one.
"""


def test_heading_paths_follow_the_outline_and_ignore_hashes_in_code() -> None:
    paths = {c.heading_path for c in chunk_markdown(TRICKY)}
    # The setext heading is level 2, so "## Diagnose" is its sibling, not its child.
    assert paths == {
        (),
        ("Payments runbook", "Setext Section"),
        ("Payments runbook", "Diagnose"),
        ("Payments runbook", "Diagnose", "Deep"),
        ("Second top",),
    }


def test_setext_heading_level_two_nests_under_level_one() -> None:
    blocks = parse_blocks(TRICKY)
    setext = [b for b in blocks if b.text == "Text under a setext heading."]
    assert setext[0].heading_path == ("Payments runbook", "Setext Section")


def test_code_blocks_are_never_split_even_when_larger_than_a_chunk() -> None:
    code = "```sql\n" + "\n".join(f"SELECT {i} FROM big_table WHERE a = {i};" for i in range(80)) + "\n```"
    doc = f"# Queries\n\nSome intro words here.\n\n{code}\n\nAfter the code there is a closing paragraph."
    chunks = chunk_markdown(doc, max_words=40, overlap_words=10)
    holders = [c for c in chunks if "SELECT 0 FROM" in c.text]
    assert len(holders) == 1
    assert holders[0].text.count("```") == 2  # opening and closing fence together
    assert "SELECT 79 FROM" in holders[0].text
    for c in chunks:
        assert c.text.count("```") % 2 == 0, c.text


def test_list_with_embedded_fence_stays_whole_inside_its_item() -> None:
    items = "\n".join(
        f"{i}. Step {i} does something useful with the cluster and checks the output carefully."
        for i in range(1, 30)
    )
    doc = "# Steps\n\n1. Run:\n   ```bash\n   df -h\n   # comment\n   ```\n" + items.replace(
        "1. Step 1", "2. Step 1", 1
    )
    chunks = chunk_markdown(doc, max_words=50, overlap_words=10)
    assert len(chunks) > 2
    first = chunks[0].text
    assert first.startswith("1. Run:") and "df -h" in first and first.count("```") == 2
    for c in chunks:  # split at item boundaries: every chunk starts with an item number
        assert c.text.split(".")[0].strip().isdigit(), c.text[:40]


def test_chunks_are_bounded_and_overlap() -> None:
    sentences = " ".join(f"Sentence {i} explains one more detail of the failure." for i in range(100))
    chunks = chunk_markdown(f"# Long\n\n{sentences}", max_words=60, overlap_words=20)
    assert len(chunks) > 5
    assert all(count_words(c.text) <= 60 for c in chunks)
    for prev, nxt in itertools.pairwise(chunks):
        last_sentence = prev.text.rsplit("Sentence", 1)[1]
        assert ("Sentence" + last_sentence) in nxt.text  # the tail opens the next chunk
    text = " ".join(c.text for c in chunks)
    assert all(f"Sentence {i} " in text for i in range(100))  # nothing lost


def test_tables_split_at_rows_and_plain_text_works() -> None:
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| row{i} value words here | x |" for i in range(60))
    chunks = chunk_markdown(table, max_words=40, overlap_words=0)
    assert len(chunks) > 3
    assert all(c.heading_path == () for c in chunks)
    assert all(line.startswith("|") for c in chunks for line in c.text.splitlines())
    plain = chunk_markdown("just some plain text without markdown")
    assert [(c.heading_path, c.text) for c in plain] == [((), "just some plain text without markdown")]


def test_unclosed_fence_runs_to_the_end_and_hides_headings() -> None:
    chunks = chunk_markdown("# A\n\n```\ncode\n# not heading\n")
    assert [c.heading_path for c in chunks] == [("A",)]
    assert "# not heading" in chunks[0].text


def test_run_on_sentence_longer_than_a_chunk_is_cut_at_words() -> None:
    words = " ".join(f"w{i}" for i in range(250))
    chunks = chunk_markdown(words, max_words=100, overlap_words=0)
    assert [count_words(c.text) for c in chunks] == [100, 100, 50]
