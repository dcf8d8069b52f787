"""Group commit: concurrent accepts share one statement and one commit (one WAL flush) instead of one each.

Requests enqueue their delivery and wait; a few writer tasks each take everything queued (up to
`max_batch`) and store it with ONE statement on a connection the writer keeps (the statement is
its own transaction, so no BEGIN/COMMIT round trips and no pool reset per batch). No artificial
delay: under light load a batch is one delivery and commits at once; under heavy load batches grow
while the previous commit flushes, which is exactly when batching pays. A full queue or a failing
database answers 503; a request is answered 2xx only after the statement holding its row committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable

import asyncpg
import structlog

from ingest_svc import repository, telemetry
from ingest_svc.repository import NewDelivery

log = structlog.get_logger("ingest.committer")


class Overloaded(Exception):
    """The accept queue is full or storage failed: the caller answers 503 with Retry-After."""


# How often waiting requests are checked against their deadline (the answer's precision on timeout).
_WATCH_S = 0.05


class GroupCommitter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        max_batch: int = 128,
        writers: int = 2,
        queue_max: int = 2000,
        on_commit: Callable[[list[NewDelivery]], None] = lambda rows: None,
    ) -> None:
        self._pool = pool
        self._max_batch = max(1, max_batch)
        self._writers = max(1, writers)
        self._queue_max = queue_max
        self._on_commit = on_commit
        self._queue: deque[tuple[NewDelivery, asyncio.Future[bool]]] = deque()
        # Every waiting request with its deadline, in arrival order (one timeout for all: in order of
        # deadline too). One watchdog expires them: a timer per request cost ~2 us of CPU each.
        self._deadlines: deque[tuple[float, asyncio.Future[bool]]] = deque()
        self._ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._watchdog: asyncio.Task[None] | None = None
        # asyncio.get_running_loop() checks the process id (a getpid() system call) on every call; a
        # committer lives and dies on one loop, so it asks once.
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0
        self.stored = 0

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._write_loop(), name=f"group-commit-{i}") for i in range(self._writers)
        ]

    async def stop(self) -> None:
        # Let queued deliveries commit (their requests are waiting for the answer), then stop.
        for _ in range(100):
            if not self._queue:
                break
            await asyncio.sleep(0.05)
        tasks = [*self._tasks, *([self._watchdog] if self._watchdog else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._watchdog = None

    @property
    def depth(self) -> int:
        return len(self._queue)

    async def store(self, row: NewDelivery, timeout_s: float) -> bool:
        """True when the delivery is new, False when its transport key was already stored."""
        if len(self._queue) >= self._queue_max:
            raise Overloaded("accept queue full")
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._queue.append((row, future))
        self._deadlines.append((loop.time() + timeout_s, future))
        if self._watchdog is None:  # deadlines hold whether or not the writers run
            self._watchdog = asyncio.create_task(self._watch(), name="group-commit-deadlines")
        self._ready.set()
        # Past its deadline the watchdog answers Overloaded (503). A late row may still commit; the
        # vendor's retry then finds it stored ("duplicate").
        return await future

    async def _watch(self) -> None:
        """Expire waiting requests past their deadline; ends when none waits (`store` restarts it)."""
        loop = asyncio.get_running_loop()
        deadlines = self._deadlines
        while deadlines:
            await asyncio.sleep(_WATCH_S)
            now = loop.time()
            while deadlines and (deadlines[0][1].done() or deadlines[0][0] <= now):
                _, future = deadlines.popleft()
                if not future.done():
                    future.set_exception(Overloaded("storage too slow"))
        self._watchdog = None

    async def _write_loop(self) -> None:
        conn: asyncpg.Connection | None = None
        try:
            while True:
                await self._ready.wait()
                batch: list[tuple[NewDelivery, asyncio.Future[bool]]] = []
                while self._queue and len(batch) < self._max_batch:
                    batch.append(self._queue.popleft())
                if not self._queue:
                    self._ready.clear()
                if not batch:
                    continue
                try:
                    if conn is None:
                        conn = await self._pool.acquire()
                    await self._write(conn, batch)
                except Exception as exc:
                    log.error("group commit failed", size=len(batch), error=repr(exc))
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(Overloaded(f"storage unavailable: {type(exc).__name__}"))
                    # The connection may be broken (server restarted): give it back, take a fresh one.
                    await self._release(conn)
                    conn = None
        finally:
            await self._release(conn)

    async def _write(
        self, conn: asyncpg.Connection, batch: list[tuple[NewDelivery, asyncio.Future[bool]]]
    ) -> None:
        started = time.perf_counter()
        try:
            self._settle(batch, await repository.insert_group(conn, [row for row, _ in batch]))
            telemetry.GROUP_COMMIT_SECONDS.observe(time.perf_counter() - started)
        except asyncpg.PostgresError as exc:
            # A value the database refuses (class 22/23) must not fail its batch-mates: store each
            # delivery alone, so only the offending one is answered 503.
            if len(batch) == 1 or str(exc.sqlstate)[:2] not in ("22", "23"):
                raise
            log.warning("group commit refused a value; storing one by one", size=len(batch), error=repr(exc))
            for item in batch:
                try:
                    self._settle([item], await repository.insert_group(conn, [item[0]]))
                except asyncpg.PostgresError as one:
                    if str(one.sqlstate)[:2] not in ("22", "23"):
                        raise
                    if not item[1].done():
                        item[1].set_exception(Overloaded(f"storage refused the delivery: {one.sqlstate}"))

    def _settle(self, batch: list[tuple[NewDelivery, asyncio.Future[bool]]], inserted: set[str]) -> None:
        self.batches += 1
        self.stored += len(inserted)
        telemetry.GROUP_COMMIT_SIZE.observe(len(batch))
        seen: set[str] = set()
        fresh = []
        for row, future in batch:
            # Two copies of one delivery in the same batch: the first is new, the second a duplicate.
            new = row.id in inserted and row.id not in seen
            seen.add(row.id)
            if new and row.status == "pending":
                fresh.append(row)
            if not future.done():
                future.set_result(new)
        if fresh:
            self._on_commit(fresh)  # committed with an outbox row: the relay takes them from memory

    async def _release(self, conn: asyncpg.Connection | None) -> None:
        if conn is not None:
            with contextlib.suppress(Exception):
                await self._pool.release(conn, timeout=2)
