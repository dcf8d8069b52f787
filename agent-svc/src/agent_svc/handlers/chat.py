"""Chat sessions: resolve follow-ups against the session, answer from the cache or the coordinator,
remember the turn in PostgreSQL, and summarise histories that outgrow the model's context.

Latency budget: a turn makes two database round trips on its critical path (read the session,
store the turn and create the session if new, in one write); the history is read while the question is being routed, and not at all for a new
session; a summary is made only when the stored turn says the history outgrew its limit, and after
the answer, not before it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from em_shared.messaging.errors import NotFound

from agent_svc.domain import offline as offline_text
from agent_svc.domain.fencing import DATA_RULES, fence, unfence
from agent_svc.domain.followup import resolve
from agent_svc.dto import ChatAnswer, ChatRequest, MessageView, SessionView, Timing, ToolRef, Usage
from agent_svc.handlers.coordinator import Coordinator, Emit
from agent_svc.llm.types import LLMClient, LLMError, LLMRequest, Message
from agent_svc.repository import AnswerCache, Conversation, ConversationRepository

log = structlog.get_logger("agent.chat")
SUMMARY_SYSTEM = (
    "Summarise this conversation between an engineering manager and EM Agent in at most 8 short "
    "lines: the questions, the teams/services/incidents named, and the key figures. " + DATA_RULES
)


@dataclass(frozen=True)
class Caller:
    key_id: str  # a digest of the API key, never the key
    scopes: frozenset[str]

    @property
    def role(self) -> str:
        return "admin" if "admin" in self.scopes else "chat"


def cache_key(question: str, entities: dict[str, str], role: str) -> str:
    normal = re.sub(r"\s+", " ", question.lower()).strip().rstrip("?!. ")
    raw = json.dumps([normal, sorted(entities.items()), role])
    return hashlib.sha256(raw.encode()).hexdigest()


class ChatHandler:
    def __init__(
        self,
        repo: ConversationRepository,
        cache: AnswerCache,
        coordinator: Coordinator,
        llm: LLMClient,
        history_max: int = 12,
    ) -> None:
        self._repo = repo
        self._cache = cache
        self._coordinator = coordinator
        self._llm = llm
        self._history_max = history_max
        self._summaries: dict[str, asyncio.Task[None]] = {}  # at most one running per session

    async def _session(self, caller: Caller, session_id: str | None) -> tuple[Conversation, bool]:
        conv, created = await self._repo.open(session_id or uuid.uuid4().hex, caller.key_id)
        if not created and conv.caller != caller.key_id and "admin" not in caller.scopes:
            # Someone else's session looks exactly like a missing one.
            raise NotFound(f"no session {session_id}")
        return conv, created

    async def chat(self, caller: Caller, request: ChatRequest, emit: Emit | None = None) -> ChatAnswer:
        started = time.perf_counter()
        stages: dict[str, float] = {}
        conv, created = await self._session(caller, request.session_id)
        stages["session"] = _ms(started)
        if emit:
            await emit("session", {"session_id": conv.id})
        resolved = resolve(request.message, conv.topic, conv.entities, conv.agents)
        topic = (conv.topic or request.message) if resolved.followup else request.message
        key = cache_key(resolved.question, resolved.entities, caller.role)
        # A new session has no history; an existing one's is read while the cache and the router work.
        history: asyncio.Task[list[dict[str, Any]]] | None = (
            None if created else asyncio.create_task(self._history(conv))
        )
        try:
            hit = await self._cache.get(key)
        except BaseException:
            await _cancel(history)
            raise
        if hit is not None:
            await _cancel(history)
            answer = msgspec.convert({**hit, "session_id": conv.id, "cached": True}, ChatAnswer)
            answer = msgspec.structs.replace(answer, timing=Timing(total_ms=_ms(started), model_ms=0.0))
            if emit:
                await emit("token", {"text": answer.answer})
        else:
            try:
                result = await self._coordinator.run(
                    question=resolved.question,
                    rule_agents=resolved.agents,
                    entities=resolved.entities,
                    history=history if history is not None else [],
                    caller=caller.key_id,
                    role=caller.role,
                    session_id=conv.id,
                    emit=emit,
                )
            finally:
                await _cancel(history)
            stages.update(result.stages_ms)
            answer = ChatAnswer(
                session_id=conv.id,
                answer=result.answer,
                agents=result.agents,
                tools=[ToolRef(name=t.name, agent=t.agent, ok=t.ok) for t in result.tools],
                citations=result.citations,
                cached=False,
                offline=result.offline,
                degraded=result.degraded,
                usage=Usage(
                    input_tokens=result.input_tokens,
                    output_tokens=result.output_tokens,
                    cost_usd=round(result.cost_usd, 6),
                ),
                timing=Timing(model_ms=round(result.model_ms, 2)),
            )
        stored = msgspec.to_builtins(answer)
        store_started = time.perf_counter()
        writes = [
            self._repo.add_turn(
                conv.id,
                conv.caller,
                request.message,
                stored,
                topic=topic,
                entities=resolved.entities,
                agents=answer.agents,
                admin="admin" in caller.scopes,
            )
        ]
        if hit is None and not answer.degraded:
            writes.append(self._cache.put(key, stored))
        pending, *_ = await asyncio.gather(*writes)
        if pending is None:  # someone else created this session id while we answered
            raise NotFound(f"no session {conv.id}")
        if pending > self._history_max:
            self._summarise_later(conv.id)
        stages["store"] = _ms(store_started)
        total = _ms(started)
        model = answer.timing.model_ms
        timing = Timing(total_ms=total, model_ms=model, overhead_ms=round(total - model, 2), stages_ms=stages)
        return msgspec.structs.replace(answer, timing=timing)

    async def _history(self, conv: Conversation) -> list[dict[str, Any]]:
        rows = await self._repo.messages(conv.id, after_id=conv.summarised_upto, limit=self._history_max)
        history: list[dict[str, Any]] = []
        if conv.summary:
            history.append({"role": "summary", "content": conv.summary})
        history += [{"role": r["role"], "content": r["content"][:1500]} for r in rows]
        return history

    def _summarise_later(self, conversation_id: str) -> None:
        """Summaries are a model call: made after the answer, off its critical path. A turn that
        comes before one is stored sees the last `history_max` messages without the summary."""
        if conversation_id in self._summaries:
            return  # the next turn checks again
        task = asyncio.create_task(self._summarise_logged(conversation_id))
        self._summaries[conversation_id] = task
        task.add_done_callback(lambda _: self._summaries.pop(conversation_id, None))

    async def _summarise_logged(self, conversation_id: str) -> None:
        try:
            await self._summarise(conversation_id)
        except Exception:
            log.exception("summary failed", session_id=conversation_id)

    async def settle(self) -> None:
        """Wait for the summaries still being made (shutdown, tests)."""
        while self._summaries:
            await asyncio.gather(*list(self._summaries.values()), return_exceptions=True)

    async def _summarise(self, conversation_id: str) -> None:
        conv = await self._repo.get(conversation_id)
        if conv is None:
            return
        rows = await self._repo.messages(conv.id, after_id=conv.summarised_upto)
        if len(rows) <= self._history_max:
            return
        old = rows[: len(rows) - self._history_max // 2]
        text = "\n".join(f"{r['role']}: {r['content'][:800]}" for r in old)
        if conv.summary:
            text = f"summary so far: {conv.summary}\n{text}"
        prompt = fence(text, "conversation")
        try:
            response = await self._llm.complete(
                LLMRequest(
                    system=SUMMARY_SYSTEM,
                    messages=[Message(role="user", content=prompt)],
                    max_tokens=400,
                    purpose="summary",
                    session_id=conv.id,
                )
            )
            summary = response.text.strip()
        except LLMError as exc:
            log.warning("summary failed; composing offline", error=str(exc))
            summary = ""
        summary = summary or offline_text.compose_summary(unfence(prompt))
        await self._repo.set_summary(conv.id, summary, old[-1]["id"])

    async def session(self, caller: Caller, session_id: str) -> SessionView:
        conv = await self._repo.get(session_id)
        if conv is None or (conv.caller != caller.key_id and "admin" not in caller.scopes):
            raise NotFound(f"no session {session_id}")
        rows = await self._repo.messages(session_id)
        return SessionView(
            session_id=conv.id,
            created_at=conv.created_at,
            updated_at=conv.updated_at,
            summary=conv.summary,
            entities=conv.entities,
            messages=[
                MessageView(
                    role=r["role"],
                    content=r["content"],
                    agents=list(r["agents"]),
                    tools=msgspec.convert(r["tools"], list[ToolRef]),
                    citations=r["citations"],
                    cached=r["cached"],
                    created_at=r["created_at"],
                )
                for r in rows
            ],
        )


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    """Stop a history read nobody needs any more (and consume its outcome, so nothing is logged)."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # we are being cancelled ourselves
    except Exception:  # noqa: S110 - a failed read nobody waits for any more changes nothing
        pass


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
