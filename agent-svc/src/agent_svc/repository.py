"""The only SQL of agent-svc: conversations and messages, the audit log, model usage, the cache.

Audit and usage rows are written in batches off the request path (BufferedWriter), so recording
every call costs a chat no database round trip; `flush()` makes them durable on demand/shutdown.
A chat turn itself costs two round trips: `open` (a read) and `add_turn` (the one write).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
import structlog

log = structlog.get_logger("agent.repository")


@dataclass(frozen=True)
class Conversation:
    id: str
    caller: str
    created_at: datetime
    updated_at: datetime
    topic: str | None
    entities: dict[str, str]
    agents: tuple[str, ...]
    summary: str | None
    summarised_upto: int


class ConversationRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, conversation_id: str) -> Conversation | None:
        row = await self._pool.fetchrow("SELECT * FROM agent_conversations WHERE id = $1", conversation_id)
        return _conversation(row) if row else None

    async def open(self, conversation_id: str, caller: str) -> tuple[Conversation, bool]:
        """(the session, new?). Read-only: a new session is written with its first turn
        (`add_turn`), so opening one costs no write and no WAL flush on the critical path."""
        row = await self._pool.fetchrow("SELECT * FROM agent_conversations WHERE id = $1", conversation_id)
        if row is not None:
            return _conversation(row), False
        now = datetime.now(UTC)
        return Conversation(conversation_id, caller, now, now, None, {}, (), None, 0), True

    async def messages(
        self, conversation_id: str, after_id: int = 0, limit: int = 1000
    ) -> list[dict[str, Any]]:
        rows = await self._pool.fetch(
            "SELECT * FROM (SELECT * FROM agent_messages WHERE conversation_id = $1 AND id > $2 "
            "ORDER BY id DESC LIMIT $3) m ORDER BY id",
            conversation_id,
            after_id,
            limit,
        )
        return [dict(r) for r in rows]

    async def add_turn(
        self,
        conversation_id: str,
        caller: str,
        question: str,
        answer: dict[str, Any],
        *,
        topic: str,
        entities: dict[str, str],
        agents: Sequence[str],
        admin: bool = False,
    ) -> int | None:
        """Store a question and its answer, creating or updating the session, in one statement
        (one transaction, one round trip).

        Returns how many messages are not yet summarised (so the caller needs no other query), or
        None when the session belongs to another caller (it was created meanwhile by someone else).
        """
        # CTE rows are invisible to the outer counts (one snapshot), hence `+ added`; the messages
        # are inserted only if the session row was, so a foreign session is left untouched.
        row = await self._pool.fetchrow(
            "WITH conv AS (INSERT INTO agent_conversations (id, caller, topic, entities, agents) "
            "VALUES ($1, $2, $10, $11, $12) ON CONFLICT (id) DO UPDATE SET updated_at = now(), "
            "topic = EXCLUDED.topic, entities = EXCLUDED.entities, agents = EXCLUDED.agents "
            "WHERE agent_conversations.caller = EXCLUDED.caller OR $13 RETURNING id, summarised_upto), "
            "added AS (INSERT INTO agent_messages (conversation_id, role, content, agents, tools, "
            "citations, cached, degraded) SELECT conv.id, v.role, v.content, v.agents, v.tools, "
            "v.citations, v.cached, v.degraded FROM conv, (VALUES "
            "(1, 'user', $3, '{}'::text[], '[]'::jsonb, '[]'::jsonb, false, false), "
            "(2, 'assistant', $4, $5::text[], $6::jsonb, $7::jsonb, $8, $9)) "
            "AS v (ord, role, content, agents, tools, citations, cached, degraded) ORDER BY v.ord RETURNING id) "
            "SELECT (SELECT count(*) FROM conv) AS stored, (SELECT count(*) FROM agent_messages m, conv "
            "WHERE m.conversation_id = conv.id AND m.id > conv.summarised_upto) "
            "+ (SELECT count(*) FROM added) AS pending",
            conversation_id,
            caller,
            question,
            answer["answer"],
            list(answer["agents"]),
            answer["tools"],
            answer["citations"],
            answer["cached"],
            bool(answer["degraded"]),
            topic,
            entities,
            list(agents),
            admin,
        )
        return int(row["pending"]) if row["stored"] else None

    async def set_summary(self, conversation_id: str, summary: str, upto: int) -> None:
        await self._pool.execute(
            "UPDATE agent_conversations SET summary = $2, summarised_upto = $3 WHERE id = $1",
            conversation_id,
            summary,
            upto,
        )

    async def audit(self, session_id: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        if session_id is None:
            rows = await self._pool.fetch("SELECT * FROM tool_audit ORDER BY id DESC LIMIT $1", limit)
        else:
            rows = await self._pool.fetch(
                "SELECT * FROM tool_audit WHERE session_id = $1 ORDER BY id LIMIT $2", session_id, limit
            )
        return [dict(r) for r in rows]

    async def llm_calls(self, session_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in await self._pool.fetch(
                "SELECT * FROM llm_calls WHERE session_id = $1 ORDER BY id", session_id
            )
        ]


def _conversation(row: asyncpg.Record) -> Conversation:
    return Conversation(
        id=row["id"],
        caller=row["caller"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        topic=row["topic"],
        entities=dict(row["entities"] or {}),
        agents=tuple(row["agents"] or ()),
        summary=row["summary"],
        summarised_upto=row["summarised_upto"],
    )


class AnswerCache:
    """Answers by question key, valid for `ttl_s` and only within the data epoch they were made in."""

    def __init__(self, pool: asyncpg.Pool, ttl_s: float) -> None:
        self._pool = pool
        self.ttl_s = ttl_s

    async def get(self, key: str) -> dict[str, Any] | None:
        if self.ttl_s <= 0:
            return None
        return await self._pool.fetchval(
            "SELECT c.answer FROM answer_cache c JOIN data_epoch e ON c.epoch = e.epoch "
            "WHERE c.key = $1 AND c.created_at > now() - make_interval(secs => $2)",
            key,
            self.ttl_s,
        )

    async def put(self, key: str, answer: dict[str, Any]) -> None:
        if self.ttl_s <= 0:
            return
        await self._pool.execute(
            "INSERT INTO answer_cache (key, epoch, answer) SELECT $1, epoch, $2 FROM data_epoch "
            "ON CONFLICT (key) DO UPDATE SET epoch = EXCLUDED.epoch, answer = EXCLUDED.answer, created_at = now()",
            key,
            answer,
        )

    async def bump_epoch(self) -> None:
        """The data changed: every cached answer is stale. Old rows are pruned on the way."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("UPDATE data_epoch SET epoch = epoch + 1")
            await conn.execute(
                "DELETE FROM answer_cache WHERE created_at < now() - make_interval(secs => $1)",
                max(self.ttl_s, 60.0),
            )


class BufferedWriter:
    """Collects rows (msgspec Structs) and inserts them in batches every `interval_s`."""

    def __init__(
        self, pool: asyncpg.Pool, table: str, columns: tuple[str, ...], interval_s: float = 0.25
    ) -> None:
        self._pool = pool
        placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
        self._sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        self._columns = columns
        self._rows: list[tuple[Any, ...]] = []
        self._interval = interval_s
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def add(self, record: msgspec.Struct) -> None:
        self._rows.append(tuple(getattr(record, c) for c in self._columns))

    async def flush(self) -> None:
        async with self._lock:
            rows, self._rows = self._rows, []
            if rows:
                try:
                    await self._pool.executemany(self._sql, rows)
                except Exception:
                    log.exception("could not write batch; rows kept for the next flush", rows=len(rows))
                    self._rows[:0] = rows

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
