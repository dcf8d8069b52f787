"""Which lane (parallel worker with its own transactions) a signal goes to, and in what order a
lane's chunk is applied.

A grouping key always maps to the same lane, so one problem's signals are applied in stream order
and never race each other inside this process, while a busy group only slows its own lane. Within a
chunk, groups are applied sorted by key (stable, so each group keeps its stream order): instances
then take incident locks in the same order, which keeps deadlocks between them rare (PostgreSQL
breaks the ones left; the caller retries signal by signal).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence


def lane_of(group_key: str, lanes: int) -> int:
    """A stable lane for a grouping key (crc32, not `hash()`, which changes per process)."""
    return zlib.crc32(group_key.encode()) % max(1, lanes)


def lock_order(group_keys: Sequence[str]) -> list[int]:
    """Indexes of a chunk's signals sorted by grouping key, stream order kept within a key."""
    return sorted(range(len(group_keys)), key=lambda i: group_keys[i])
