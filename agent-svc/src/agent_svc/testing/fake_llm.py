"""A fake LLM provider: a real HTTP server speaking the Anthropic Messages API (`POST /v1/messages`)
and the OpenAI Chat Completions API (`POST /v1/chat/completions`), JSON and SSE streaming, tool
calls, vendor error bodies, 429 with Retry-After, configurable latency and scripted replies.

The real SDKs are pointed at it by base_url, so tests exercise them unpatched. Scripted replies
(`enqueue`) are served first; otherwise `responder` (default: a plausible model) decides. Every
exchange is recorded, with when its first token left, for the benchmark's time-to-first-token.
Run standalone: `python -m agent_svc.testing.fake_llm --port 9100 --latency 1.0`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from agent_svc.domain.routing import classify


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    error_message: str = ""
    retry_after: float | None = None
    latency_s: float | None = None  # overrides the server's latency for this reply


@dataclass
class Exchange:
    api: str  # anthropic | openai
    body: dict[str, Any]
    stream: bool
    system: str
    last_user: str
    tools: list[str]
    tool_results: int  # results after the last user text
    user_tag: str | None
    received_at: float
    first_token_at: float | None = None
    finished_at: float | None = None
    status: int = 200


Responder = Callable[[Exchange], Reply]


def plausible_reply(ex: Exchange) -> Reply:
    """A stand-in model: routes with JSON when asked for a schema, calls one tool, then answers."""
    if "JSON Schema" in ex.system:
        route = classify(ex.last_user)
        return Reply(text=json.dumps({"agents": list(route.agents) or ["metrics"], "reason": "fake router"}))
    if ex.tools and ex.tool_results == 0:
        return Reply(tool_calls=[(ex.tools[0], {})])
    if ex.tool_results:
        return Reply(text=f"Fake model answer built from {ex.tool_results} tool result(s).")
    return Reply(
        text="Fake synthesis: the sub-agents' answers, combined. " + ex.last_user[:120].replace("\n", " ")
    )


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


def _exchange(api: str, body: dict[str, Any]) -> Exchange:
    messages = body.get("messages", [])
    if api == "anthropic":
        system = _text_of(body.get("system", ""))
        tools = [t["name"] for t in body.get("tools", [])]
        last_user_i = max(
            (i for i, m in enumerate(messages) if m["role"] == "user" and _text_of(m["content"])), default=-1
        )
        results = sum(
            1
            for m in messages[last_user_i + 1 :]
            if isinstance(m.get("content"), list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        )
        tag = (body.get("metadata") or {}).get("user_id")
    else:
        system = "\n".join(_text_of(m["content"]) for m in messages if m["role"] == "system")
        tools = [t["function"]["name"] for t in body.get("tools", [])]
        last_user_i = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
        results = sum(1 for m in messages[last_user_i + 1 :] if m["role"] == "tool")
        tag = body.get("user")
    last_user = _text_of(messages[last_user_i]["content"]) if last_user_i >= 0 else ""
    return Exchange(
        api=api,
        body=body,
        stream=bool(body.get("stream")),
        system=system,
        last_user=last_user,
        tools=tools,
        tool_results=results,
        user_tag=tag,
        received_at=time.time(),
    )


def _chunks(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or []


class FakeLLM:
    def __init__(
        self,
        latency_s: float = 0.0,
        chunk_delay_s: float = 0.0,
        responder: Responder | None = None,
        model: str = "fake-model",
    ) -> None:
        self.latency_s = latency_s
        self.chunk_delay_s = chunk_delay_s
        self.responder = responder or plausible_reply
        self.model = model
        self.queue: deque[Reply] = deque()
        self.exchanges: list[Exchange] = []
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """For the Anthropic SDK (it appends /v1/messages)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    async def start(self, port: int = 0) -> FakeLLM:
        from em_shared.devenv.processes import free_port

        self.port = port or free_port()
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_config=None, access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no started event
            await asyncio.sleep(0.02)
        return self

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    # --- ASGI -----------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if scope["method"] == "GET" and path == "/_fake/exchanges":
            rows = [{k: v for k, v in e.__dict__.items() if k != "body"} for e in self.exchanges]
            await self._json(send, 200, rows)
            return
        api = "anthropic" if path == "/v1/messages" else "openai" if path == "/v1/chat/completions" else None
        if api is None or scope["method"] != "POST":
            await self._json(send, 404, {"error": {"type": "not_found_error", "message": f"no route {path}"}})
            return
        ex = _exchange(api, json.loads(body or b"{}"))
        self.exchanges.append(ex)
        reply = self.queue.popleft() if self.queue else self.responder(ex)
        latency = self.latency_s if reply.latency_s is None else reply.latency_s
        ex.status = reply.status
        if reply.status != 200:
            await asyncio.sleep(latency)
            await self._error(send, api, reply)
        elif ex.stream:
            await self._stream(send, api, ex, reply, latency)
        else:
            await asyncio.sleep(latency)
            ex.first_token_at = time.time()
            await self._json(send, 200, self._completion(api, ex, reply))
        ex.finished_at = time.time()

    async def _json(
        self, send: Any, status: int, payload: Any, headers: list[tuple[bytes, bytes]] = ()
    ) -> None:  # type: ignore[assignment]
        data = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *headers],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def _error(self, send: Any, api: str, reply: Reply) -> None:
        kind = {
            429: "rate_limit_error",
            529: "overloaded_error",
            401: "authentication_error",
            400: "invalid_request_error",
        }.get(reply.status, "api_error")
        message = reply.error_message or f"fake {kind}"
        payload = (
            {"type": "error", "error": {"type": kind, "message": message}}
            if api == "anthropic"
            else {"error": {"message": message, "type": kind, "code": kind}}
        )
        headers = [(b"retry-after", str(reply.retry_after).encode())] if reply.retry_after is not None else []
        await self._json(send, reply.status, payload, headers)

    def _usage(self, ex: Exchange, reply: Reply) -> tuple[int, int]:
        out = len(reply.text) // 4 + sum(len(json.dumps(a)) for _, a in reply.tool_calls) // 4 + 1
        return len(json.dumps(ex.body)) // 4, out

    def _completion(self, api: str, ex: Exchange, reply: Reply) -> dict[str, Any]:
        tokens_in, tokens_out = self._usage(ex, reply)
        if api == "anthropic":
            content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
            content += [
                {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": n, "input": a}
                for n, a in reply.tool_calls
            ]
            return {
                "id": f"msg_{uuid.uuid4().hex[:12]}",
                "type": "message",
                "role": "assistant",
                "model": ex.body.get("model", self.model),
                "content": content,
                "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
            }
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{uuid.uuid4().hex[:12]}",
                    "type": "function",
                    "function": {"name": n, "arguments": json.dumps(a)},
                }
                for n, a in reply.tool_calls
            ]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": ex.body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": tokens_in,
                "completion_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        }

    async def _stream(self, send: Any, api: str, ex: Exchange, reply: Reply, latency: float) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
            }
        )
        events = self._anthropic_events(ex, reply) if api == "anthropic" else self._openai_events(ex, reply)
        first = True
        for i, (name, data) in enumerate(events):
            if i == 1:
                await asyncio.sleep(
                    latency
                )  # headers and message_start come at once; tokens after "thinking"
            elif i > 1 and self.chunk_delay_s:
                await asyncio.sleep(self.chunk_delay_s)
            if first and i >= 1:
                ex.first_token_at, first = time.time(), False
            frame = (
                f"event: {name}\n" if name else ""
            ) + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
            await send({"type": "http.response.body", "body": frame.encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    def _anthropic_events(self, ex: Exchange, reply: Reply) -> list[tuple[str, Any]]:
        tokens_in, tokens_out = self._usage(ex, reply)
        events: list[tuple[str, Any]] = [
            (
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": f"msg_{uuid.uuid4().hex[:12]}",
                        "type": "message",
                        "role": "assistant",
                        "model": ex.body.get("model", self.model),
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": tokens_in, "output_tokens": 1},
                    },
                },
            )
        ]
        index = 0
        if reply.text:
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            events += [
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": c}},
                )
                for c in _chunks(reply.text)
            ]
            events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
            index = 1
        for name, args in reply.tool_calls:
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": index,
                        "content_block": {
                            "type": "tool_use",
                            "id": f"toolu_{uuid.uuid4().hex[:12]}",
                            "name": name,
                            "input": {},
                        },
                    },
                )
            )
            events += [
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": c},
                    },
                )
                for c in _chunks(json.dumps(args), 8)
            ]
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
            index += 1
        events.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {
                        "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                        "stop_sequence": None,
                    },
                    "usage": {"output_tokens": tokens_out},
                },
            )
        )
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _openai_events(self, ex: Exchange, reply: Reply) -> list[tuple[str, Any]]:
        tokens_in, tokens_out = self._usage(ex, reply)
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None) -> tuple[str, Any]:
            return (
                "",
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": ex.body.get("model", self.model),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                },
            )

        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": c}) for c in _chunks(reply.text)]
        for i, (name, args) in enumerate(reply.tool_calls):
            events.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": i,
                                "id": f"call_{uuid.uuid4().hex[:12]}",
                                "type": "function",
                                "function": {"name": name, "arguments": ""},
                            }
                        ]
                    }
                )
            )
            events += [
                chunk({"tool_calls": [{"index": i, "function": {"arguments": c}}]})
                for c in _chunks(json.dumps(args), 8)
            ]
        events.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
        events.append(
            (
                "",
                {
                    "id": cid,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": ex.body.get("model", self.model),
                    "choices": [],
                    "usage": {
                        "prompt_tokens": tokens_in,
                        "completion_tokens": tokens_out,
                        "total_tokens": tokens_in + tokens_out,
                    },
                },
            )
        )
        events.append(("", "[DONE]"))
        return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds before the first token")
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeLLM(latency_s=args.latency, chunk_delay_s=args.chunk_delay)
    uvicorn.run(fake, host="127.0.0.1", port=args.port, log_config=None, access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
