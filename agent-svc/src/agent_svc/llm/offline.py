"""The offline provider: deterministic, no network, no key. It plans read-only tool calls from the
question's entities, then answers from the tool results, every answer labelled as offline.
Synthesis and summaries are composed from the fenced data blocks the prompt carries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from agent_svc.domain import offline
from agent_svc.domain.fencing import unfence
from agent_svc.llm.types import LLMRequest, LLMResponse, StreamEvent, ToolCall, Unsupported, Usage


class OfflineProvider:
    name = "offline"
    model = "offline"
    offline = True
    supports_structured = False

    async def complete(self, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        if request.structured:
            raise Unsupported("offline provider gives no structured output; callers use deterministic rules")
        last_user = max((i for i, m in enumerate(request.messages) if m.role == "user"), default=-1)
        question = request.messages[last_user].content if last_user >= 0 else ""
        later = request.messages[last_user + 1 :]
        tool_results = [m for m in later if m.role == "tool"]
        calls: list[ToolCall] = []
        if request.purpose.startswith("agent:"):
            agent = request.purpose.removeprefix("agent:")
            if request.tools and not tool_results:
                planned = offline.plan_tool_calls(
                    _question_text(question), _context(question), [t.name for t in request.tools]
                )
                calls = [
                    ToolCall(id=f"offline-{i}", name=name, arguments=args)
                    for i, (name, args) in enumerate(planned)
                ]
            if calls:
                text = ""
            else:
                results = [(m.name or "tool", _unfenced(m.content), not m.is_error) for m in tool_results]
                text = (
                    offline.OFFLINE_LABEL
                    + "\n"
                    + offline.compose_agent_answer(agent, _question_text(question), results)
                )
        elif request.purpose == "summary":
            text = offline.compose_summary(unfence(question))
        else:
            text = offline.compose_synthesis(unfence(question))
        return LLMResponse(
            text=text,
            tool_calls=calls,
            provider=self.name,
            model=self.model,
            offline=True,
            usage=Usage(
                input_tokens=sum(len(m.content) for m in request.messages) // 4, output_tokens=len(text) // 4
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]:
        response = await self.complete(request)
        words = response.text.split(" ")
        for i, word in enumerate(words):
            yield StreamEvent(kind="text", text=word if i == len(words) - 1 else word + " ")
        yield StreamEvent(kind="done", response=response)


def _unfenced(content: str) -> str:
    blocks = unfence(content)
    return blocks[0][1] if blocks else content


def _context(user_message: str) -> dict[str, str]:
    """The `Context: k=v; k=v` line of an agent prompt: entities resolved over the conversation."""
    for block in user_message.split("\n\n"):
        if block.startswith("Context: "):
            pairs = (p.partition("=") for p in block.removeprefix("Context: ").split("; "))
            return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}
    return {}


def _question_text(user_message: str) -> str:
    """The agent prompt starts with the question; context lines follow a blank line."""
    return user_message.split("\n\n", 1)[0].removeprefix("Question: ")
