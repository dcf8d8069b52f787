"""Percentiles as DORA figures use them: linear interpolation between closest ranks.

This is numpy's default and PostgreSQL's `percentile_cont`: the median of [1, 2, 3, 4] is 2.5 and
its p90 is 3.7. An empty sample has no percentile (None), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float | None:
    return _interpolate(sorted(values), q)


def _interpolate(data: list[float], q: float) -> float | None:
    if not data:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be within [0, 1]")
    rank = q * (len(data) - 1)
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def median_p90(values: list[float]) -> tuple[float | None, float | None]:
    data = sorted(values)  # once for both (large org-wide samples)
    return _interpolate(data, 0.5), _interpolate(data, 0.9)
