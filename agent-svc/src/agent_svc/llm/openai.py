"""OpenAI Chat Completions through the `openai` SDK: text, tool calls, SSE streaming. Any
OpenAI-compatible server (Ollama, vLLM) works through `base_url`. SDK retries are off, as for Anthropic;
bodies are read with msgspec (llm/wire.py), not turned into the SDK's pydantic models.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import openai

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
    return map_sdk_error(openai, "openai", exc)


def _messages(system: str, messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for m in messages:
        if m.role == "tool":
            out.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
        elif m.role == "assistant" and m.tool_calls:
            out.append(
                {
                    "role": "assistant",
                    "content": m.content or None,
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                        }
                        for c in m.tool_calls
                    ],
                }
            )
        else:
            out.append({"role": m.role, "content": m.content})
    return out


def _arguments(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        # The registry validates arguments; a malformed object is reported to the model there.
        return {"_unparsable_arguments": raw}
    return value if isinstance(value, dict) else {"_unparsable_arguments": raw}


class OpenAIProvider(SdkProvider):
    sdk = openai
    client_class = openai.AsyncOpenAI
    name = "openai"

    def _params(self, request: LLMRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": _messages(request.system, request.messages),
        }
        if request.tools:
            params["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in request.tools
            ]
        if request.session_id:
            params["user"] = request.session_id
        return params

    async def complete(self, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        try:
            raw = await self._client.chat.completions.with_raw_response.create(**self._params(request))
            completion = wire.openai_completion.decode(raw.content)  # read in full by the SDK
        except openai.OpenAIError as exc:
            raise map_error(exc) from exc
        except msgspec.MsgspecError as exc:
            raise ProviderFailed(f"openai: malformed reply ({exc})") from exc
        if completion.error is not None or not completion.choices:
            raise stream_error("openai", completion.error)
        choice = completion.choices[0].message or wire.OpenAIMessage()
        calls = [
            ToolCall(id=c.id or "", name=c.function.name or "", arguments=_arguments(c.function.arguments))
            for c in (choice.tool_calls or [])
            if c.type == "function" and c.function is not None
        ]
        usage = completion.usage
        return LLMResponse(
            text=choice.content or "",
            tool_calls=calls,
            provider=self.name,
            model=completion.model or self.model,
            usage=Usage(
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]:
        started = time.perf_counter()
        text: list[str] = []
        tools: dict[int, dict[str, str]] = {}
        usage = Usage()
        model = self.model
        try:
            async with self._client.chat.completions.with_streaming_response.create(
                **self._params(request), stream=True, stream_options={"include_usage": True}
            ) as raw:
                async for _, data in wire.sse_events(raw.iter_bytes()):
                    if data.startswith(b"[DONE]"):
                        break
                    chunk = wire.openai_completion.decode(data)
                    if chunk.error is not None:
                        raise stream_error("openai", chunk.error)
                    model = chunk.model or model
                    if chunk.usage is not None:
                        usage = Usage(
                            input_tokens=chunk.usage.prompt_tokens,
                            output_tokens=chunk.usage.completion_tokens,
                        )
                    if not chunk.choices or chunk.choices[0].delta is None:
                        continue
                    delta = chunk.choices[0].delta
                    if delta.content:
                        text.append(delta.content)
                        yield StreamEvent(kind="text", text=delta.content)
                    for tc in delta.tool_calls or []:
                        slot = tools.setdefault(tc.index, {"id": "", "name": "", "args": ""})
                        slot["id"] = tc.id or slot["id"]
                        if tc.function is not None:
                            slot["name"] = tc.function.name or slot["name"]
                            slot["args"] += tc.function.arguments or ""
        except openai.OpenAIError as exc:
            raise map_error(exc) from exc
        except msgspec.MsgspecError as exc:
            raise ProviderFailed(f"openai: malformed stream chunk ({exc})") from exc
        calls = [
            ToolCall(id=t["id"], name=t["name"], arguments=_arguments(t["args"]))
            for _, t in sorted(tools.items())
        ]
        yield StreamEvent(
            kind="done",
            response=LLMResponse(
                text="".join(text),
                tool_calls=calls,
                provider=self.name,
                model=model,
                usage=usage,
                latency_ms=(time.perf_counter() - started) * 1000,
            ),
        )
