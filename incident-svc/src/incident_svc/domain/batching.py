"""Split a pulled batch of signals into lanes that can run in parallel transactions.

A grouping key (and every signal of an alert, which follows its first signal's key) stays in one
lane, in stream order, so one problem's signals never race each other inside this process. Lanes
list their groups sorted by key: instances then take incident locks in the same order, which keeps
deadlocks between them rare (PostgreSQL breaks the ones left; the caller retries signal by signal).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


def plan_lanes(keys: Sequence[tuple[Hashable, str]], lanes: int) -> list[list[int]]:
    """`keys[i]` = (alert key, grouping key) of signal i; returns lanes of signal indexes."""
    group_of_alert: dict[Hashable, str] = {}
    groups: dict[str, list[int]] = {}
    for index, (alert, group) in enumerate(keys):
        group = group_of_alert.setdefault(alert, group)
        groups.setdefault(group, []).append(index)
    count = max(1, min(lanes, len(groups)))
    loads = [0] * count
    assigned: list[list[str]] = [[] for _ in range(count)]
    # Largest groups first onto the least-loaded lane: balanced lanes finish together.
    for group in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        lane = loads.index(min(loads))
        assigned[lane].append(group)
        loads[lane] += len(groups[group])
    return [[i for group in sorted(names) for i in groups[group]] for names in assigned if names]
