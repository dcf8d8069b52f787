"""Size-bound a JSON value before it reaches a prompt: drop list tails first, then cut long strings.

Dropping whole items keeps the result valid JSON a model can read; a note says what was cut.
"""

from __future__ import annotations

import json
from typing import Any


def _size(value: Any) -> int:
    return len(json.dumps(value, default=str, separators=(",", ":")).encode())


def _longest_list(value: Any, path: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], int] | None:
    best: tuple[tuple[Any, ...], int] | None = None
    if isinstance(value, list):
        best = (path, len(value)) if len(value) > 1 else None
        items = enumerate(value)
    elif isinstance(value, dict):
        items = value.items()  # type: ignore[assignment]
    else:
        return None
    for key, child in items:
        found = _longest_list(child, (*path, key))
        if found and (best is None or found[1] > best[1]):
            best = found
    return best


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _cut_strings(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, list):
        return [_cut_strings(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _cut_strings(v, limit) for k, v in value.items()}
    return value


def bound_json(value: Any, max_bytes: int) -> tuple[Any, bool]:
    """(value that encodes within `max_bytes`, whether anything was cut)."""
    if _size(value) <= max_bytes:
        return value, False
    value = json.loads(json.dumps(value, default=str))
    dropped = 0
    while _size(value) > max_bytes:
        found = _longest_list(value)
        if found is None:
            break
        target = _get(value, found[0])
        del target[max(1, len(target) // 2) :]
        dropped += 1
    limit = 2000
    while _size(value) > max_bytes and limit > 16:
        value = _cut_strings(value, limit)
        limit //= 2
    if _size(value) > max_bytes:
        text = json.dumps(value, default=str)
        value = {"truncated_text": text[: max(0, max_bytes - 64)]}
    value = {**value, "_truncated": True} if isinstance(value, dict) else {"items": value, "_truncated": True}
    return value, True
