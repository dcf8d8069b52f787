"""Anthropic Messages API through the `anthropic` SDK: text, tool use, SSE streaming. Bodies are read
with msgspec (llm/wire.py), not turned into the SDK's pydantic models.

The SDK's own retries are off (max_retries=0): llm/resilience.py retries every provider the same
way, honouring Retry-After. Vendor exceptions become LLMError subclasses here and nowhere else.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import msgspec

from agent_svc.llm import wire
from agent_svc.llm.sdk import SdkProvider, map_sdk_error, stream_error
from agent_svc.llm.types import (
    LLMError,
    LLMRequest,
    LLMResponse,
    Message,
    ProviderFailed,
    StreamEvent,
    ToolCall,
    Usage,
)


def map_error(exc: Exception) -> LLMError:
    return map_sdk_error(anthropic, "anthropic", exc)


def _messages(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": m.tool_call_id,
                "content": m.content,
                "is_error": m.is_error,
            }
            # Results of one assistant turn travel together in one user message.
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif m.role == "assistant" and m.tool_calls:
            content: list[dict[str, Any]] = [{"type": "text", "text": m.content}] if m.content else []
            content += [
                {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in m.tool_calls
            ]
            out.append({"role": "assistant", "content": content})
        else:
            out.append({"role": m.role, "content": m.content})
    return out


class AnthropicProvider(SdkProvider):
    sdk = anthropic
    client_class = anthropic.AsyncAnthropic
    name = "anthropic"

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "system": request.system,
            "messages": _messages(request.messages),
        }
        if request.tools:
            params["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        if request.session_id:
            params["metadata"] = {"user_id": request.session_id}
        return params

    async def complete(self, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        try:
            raw = await self._client.messages.with_raw_response.create(**self._params(request))
            msg = wire.anthropic_message.decode(await raw.read())
        except anthropic.AnthropicError as exc:
            raise map_error(exc) from exc
        except msgspec.MsgspecError as exc:
            raise ProviderFailed(f"anthropic: malformed reply ({exc})") from exc
        text = "".join(b.text for b in msg.content if b.type == "text")
        calls = [
            ToolCall(id=b.id, name=b.name, arguments=b.input) for b in msg.content if b.type == "tool_use"
        ]
        return LLMResponse(
            text=text,
            tool_calls=calls,
            provider=self.name,
            model=msg.model or self.model,
            usage=Usage(input_tokens=msg.usage.input_tokens, output_tokens=msg.usage.output_tokens),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]:
        started = time.perf_counter()
        text: list[str] = []
        tools: dict[int, dict[str, Any]] = {}
        input_tokens = output_tokens = 0
        model = self.model
        try:
            async with self._client.messages.with_streaming_response.create(
                **self._params(request), stream=True
            ) as raw:
                async for name, data in wire.sse_events(raw.iter_bytes()):
                    if name == "ping":
                        continue
                    event = wire.anthropic_event.decode(data)
                    if event.type == "content_block_delta" and event.delta is not None:
                        if event.delta.type == "text_delta":
                            text.append(event.delta.text)
                            yield StreamEvent(kind="text", text=event.delta.text)
                        elif event.delta.type == "input_json_delta" and event.index in tools:
                            tools[event.index]["json"] += event.delta.partial_json
                    elif event.type == "message_start" and event.message is not None:
                        input_tokens = event.message.usage.input_tokens
                        model = event.message.model or model
                    elif event.type == "content_block_start" and event.content_block is not None:
                        block = event.content_block
                        if block.type == "tool_use":
                            tools[event.index] = {"id": block.id, "name": block.name, "json": ""}
                    elif event.type == "message_delta" and event.usage is not None:
                        output_tokens = event.usage.output_tokens
                    elif event.type == "error" or name == "error":
                        raise stream_error("anthropic", event.error)
        except anthropic.AnthropicError as exc:
            raise map_error(exc) from exc
        except msgspec.MsgspecError as exc:
            raise ProviderFailed(f"anthropic: malformed stream event ({exc})") from exc
        calls = [
            ToolCall(id=t["id"], name=t["name"], arguments=json.loads(t["json"] or "{}"))
            for _, t in sorted(tools.items())
        ]
        yield StreamEvent(
            kind="done",
            response=LLMResponse(
                text="".join(text),
                tool_calls=calls,
                provider=self.name,
                model=model,
                usage=Usage(input_tokens=input_tokens, output_tokens=output_tokens),
                latency_ms=(time.perf_counter() - started) * 1000,
            ),
        )
