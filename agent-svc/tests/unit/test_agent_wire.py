"""The SSE framing of vendor streams (llm/wire.py), whatever way the bytes are cut into chunks."""

from __future__ import annotations

import pytest
from agent_svc.llm.wire import sse_events

BODY = (
    b": keep-alive comment\n\n"
    b'event: message_start\ndata: {"a": 1}\n\n'
    b"event: ping\ndata: {}\n\n"
    b"data: line one\ndata: line two\n\n"
    b"event: empty\n\n"
    b"data:[DONE]"  # no space after the colon, no blank line at the end
)
EXPECTED = [("message_start", b'{"a": 1}'), ("ping", b"{}"), ("", b"line one\nline two"), ("", b"[DONE]")]


async def _collect(chunks: list[bytes]) -> list[tuple[str, bytes]]:
    async def source():
        for c in chunks:
            yield c

    return [e async for e in sse_events(source())]


@pytest.mark.parametrize("size", [1, 2, 7, 1000])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
async def test_events_survive_any_chunking_and_line_ending(size, newline):
    body = BODY.replace(b"\n", newline)
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert await _collect(chunks) == EXPECTED
