"""The vendors' response bodies, read once with msgspec: JSON replies and Server-Sent Event streams.

The SDKs still build, authenticate, send and check every request (status errors, timeouts); we take
the raw body (`with_raw_response` / `with_streaming_response`) instead of letting the SDK build a
pydantic model for the reply and for every streamed event, which was most of the SDK's CPU per call.
Only the fields agent-svc reads are declared; anything else in a body is ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec


async def sse_events(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[str, bytes]]:
    """(event name or "", data) per event of a text/event-stream body; comments and events without
    data are skipped, multi-line data is joined with newlines (as the SSE specification says)."""
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        if b"\r" in buffer:
            # CRLF or CR line ends; a CR at the very end may be half of a CRLF still to come.
            held = buffer.endswith(b"\r")
            body = buffer[:-1] if held else buffer
            buffer = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + (b"\r" if held else b"")
        *frames, buffer = buffer.split(b"\n\n")
        for frame in frames:
            if event := _frame(frame):
                yield event
    if event := _frame(buffer.rstrip(b"\r\n")):
        yield event


def _frame(frame: bytes) -> tuple[str, bytes] | None:
    name, data = "", []
    for line in frame.split(b"\n"):
        if line.startswith(b"data:"):
            data.append(line[6:] if line.startswith(b"data: ") else line[5:])
        elif line.startswith(b"event:"):
            name = line[6:].strip().decode()
    return (name, b"\n".join(data)) if data else None


class Tokens(msgspec.Struct, frozen=True):
    input_tokens: int = 0
    output_tokens: int = 0


class AnthropicBlock(msgspec.Struct, frozen=True):
    type: str
    text: str = ""
    id: str = ""
    name: str = ""
    input: dict[str, Any] = {}


class AnthropicMessage(msgspec.Struct, frozen=True):
    content: list[AnthropicBlock] = []
    usage: Tokens = Tokens()
    model: str = ""


class AnthropicDelta(msgspec.Struct, frozen=True):
    type: str = ""
    text: str = ""
    partial_json: str = ""


class VendorError(msgspec.Struct, frozen=True):
    type: str = ""
    message: str = ""
    code: str | None = None


class AnthropicEvent(msgspec.Struct, frozen=True):
    """Any event of a Messages stream; which fields are set depends on `type`."""

    type: str = ""
    index: int = 0
    message: AnthropicMessage | None = None
    content_block: AnthropicBlock | None = None
    delta: AnthropicDelta | None = None
    usage: Tokens | None = None
    error: VendorError | None = None


class OpenAIFunction(msgspec.Struct, frozen=True):
    name: str | None = None
    arguments: str | None = None


class OpenAIToolCall(msgspec.Struct, frozen=True):
    index: int = 0
    id: str | None = None
    type: str | None = None
    function: OpenAIFunction | None = None


class OpenAIMessage(msgspec.Struct, frozen=True):
    content: str | None = None
    tool_calls: list[OpenAIToolCall] | None = None


class OpenAIChoice(msgspec.Struct, frozen=True):
    message: OpenAIMessage | None = None
    delta: OpenAIMessage | None = None


class OpenAIUsage(msgspec.Struct, frozen=True):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class OpenAICompletion(msgspec.Struct, frozen=True):
    """A chat completion or one chunk of a streamed one."""

    choices: list[OpenAIChoice] = []
    usage: OpenAIUsage | None = None
    model: str = ""
    error: VendorError | None = None


anthropic_message = msgspec.json.Decoder(AnthropicMessage)
anthropic_event = msgspec.json.Decoder(AnthropicEvent)
openai_completion = msgspec.json.Decoder(OpenAICompletion)
