"""Per-channel FIFO workers: one slow or rate-limited channel never delays the others.

Deliveries of one queue key (a channel, or a DM recipient) run in order on one task; different keys
run concurrently. A worker exits after a quiet spell, so thousands of channels cost nothing at rest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("notifier.dispatch")


class Dispatcher:
    def __init__(self, deliver: Callable[[str], Awaitable[None]], idle_exit_s: float = 30.0) -> None:
        self._deliver = deliver
        self._idle_exit_s = idle_exit_s
        self._queues: dict[str, asyncio.Queue[str]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._queued: set[str] = set()
        self._closed = False

    def submit(self, key: str, event_id: str) -> bool:
        """Queue `event_id` behind the other deliveries of `key`; False if it is already queued."""
        if self._closed or event_id in self._queued:
            return False
        self._queued.add(event_id)
        queue = self._queues.setdefault(key, asyncio.Queue())
        queue.put_nowait(event_id)
        if key not in self._workers or self._workers[key].done():
            self._workers[key] = asyncio.create_task(self._run(key, queue), name=f"notify:{key}")
        return True

    @property
    def backlog(self) -> int:
        return len(self._queued)

    async def _run(self, key: str, queue: asyncio.Queue[str]) -> None:
        # The task copied the context of the message that started it; its ids describe that message only.
        structlog.contextvars.unbind_contextvars("event_subject", "attempt", "event_id")
        while True:
            try:
                event_id = await asyncio.wait_for(queue.get(), timeout=self._idle_exit_s)
            except TimeoutError:
                if queue.empty():
                    # Remove before returning so a submit racing with us starts a fresh worker.
                    self._workers.pop(key, None)
                    self._queues.pop(key, None)
                    return
                continue
            try:
                await self._deliver(event_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                # deliver() records its own failures; this is a bug guard so the worker survives.
                log.exception("delivery crashed", event_id=event_id, queue=key)
            finally:
                self._queued.discard(event_id)

    async def close(self, grace_s: float) -> None:
        """Stop taking work, let queued deliveries finish within `grace_s`, cancel the rest.

        What is cancelled stays `pending` in the delivery log and is resumed at the next start.
        """
        self._closed = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._queued and loop.time() < deadline:  # noqa: ASYNC110 - polls a set, not an event
            await asyncio.sleep(0.05)
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
