"""Group commit for the metrics consumers: events handed in concurrently are folded in one transaction.

A JetStream pull consumer fetches up to `batch_size` messages and runs their handlers concurrently;
each handler submits its event here and waits. The first submit starts a drain that, one loop turn
later (when the rest of the pulled batch has queued), folds everything queued in one transaction,
and keeps draining while more arrive. If a batch fails, it is rolled back as a whole and its
events are retried one transaction each, so only a failing event's handler raises (its message is
nacked, retried with backoff, then dead-lettered by `subscribe_events`); its neighbours are acked.
Facts are keyed by natural ids, so an event retried after a failed batch never counts twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Item = tuple[str, Any]
Fold = Callable[[Sequence[Item]], Awaitable[None]]


class GroupFolder:
    def __init__(self, fold: Fold, max_batch: int = 256) -> None:
        self._fold = fold
        self._max = max_batch
        self._queue: list[tuple[Item, asyncio.Future[None]]] = []
        self._drain: asyncio.Task[None] | None = None
        self.batches = 0  # batches folded, and the events in them (observability, tests)
        self.events = 0

    async def submit(self, item: Item) -> None:
        """Fold `item` with whatever else is submitted meanwhile; raises if `item` itself fails."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._run(), name="metrics-group-fold")
        await asyncio.shield(future)  # a cancelled handler must not cancel its neighbours' fold

    async def _run(self) -> None:
        await asyncio.sleep(0)  # let the other handlers of the pulled batch queue their events
        while self._queue:
            batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            self.batches += 1
            self.events += len(batch)
            try:
                await self._fold([item for item, _ in batch])
            except Exception:
                for item, future in batch:
                    try:
                        await self._fold([item])
                    except Exception as exc:
                        _settle(future, exc)
                    else:
                        _settle(future, None)
            else:
                for _, future in batch:
                    _settle(future, None)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
