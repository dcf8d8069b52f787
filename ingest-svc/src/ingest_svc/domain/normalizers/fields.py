"""Reading untrusted vendor JSON: typed getters and time parsing that fail with NormalizationError.

Normalizers never index raw dicts directly, so a payload of the wrong shape becomes a typed
failure (dead-lettered, replayable) rather than a crash in the relay.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ingest_svc.domain.model import NormalizationError


def get(obj: Any, *path: str | int) -> Any:
    """The value at `path`, or None when any step is missing or of the wrong kind."""
    # The relay's hottest helper (dozens of calls per delivery): the common case, a str key into a
    # dict, is tested first.
    for step in path:
        if isinstance(obj, dict):
            if not isinstance(step, str):
                return None
            obj = obj.get(step)
        elif isinstance(obj, list) and isinstance(step, int) and -len(obj) <= step < len(obj):
            obj = obj[step]
        else:
            return None
    return obj


def text(obj: Any, *path: str | int) -> str | None:
    value = get(obj, *path)
    if type(value) is str:
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def first_text(obj: Any, *paths: tuple[str | int, ...]) -> str | None:
    """The first non-blank text among several spellings of one field: user-templated payloads
    (Datadog, New Relic) name it `alert_id`, `alertId` or nest it as `alert.id`."""
    for path in paths:
        value = text(obj, *path)
        if value is not None and value.strip():
            return value.strip()
    return None


def need(obj: Any, *path: str | int) -> str:
    value = text(obj, *path)
    if value is None or value == "":
        raise NormalizationError(f"missing field {'.'.join(map(str, path))}")
    return value


def number(obj: Any, *path: str | int) -> float | None:
    value = get(obj, *path)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def integer(obj: Any, *path: str | int) -> int | None:
    value = number(obj, *path)
    if value is None or value != value or abs(value) > 2**53:
        return None
    return int(value)


def items(obj: Any, *path: str | int) -> list[Any]:
    value = get(obj, *path)
    return value if isinstance(value, list) else []


def mapping(obj: Any, *path: str | int) -> dict[str, Any]:
    value = get(obj, *path)
    return value if isinstance(value, dict) else {}


def str_map(obj: Any, *path: str | int) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping(obj, *path).items() if isinstance(v, (str, int, float))}


def str_list(values: list[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool)]


_FRACTION = re.compile(r"\.(\d{6})\d+")
_SPACE_ZONE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?(UTC|[+-]\d{2}:?\d{2})?$")


def when(value: Any) -> datetime | None:
    """Vendor timestamps in every shape seen: ISO 8601 (Z, +0000, nanoseconds), GitLab's
    `2016-08-12 15:23:28 UTC`, epoch seconds or milliseconds. Go's zero time means "not set"."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000.0 if value > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    # Datadog renders $DATE as epoch milliseconds in a string (ASCII: "²" is a digit int() refuses).
    if raw.isascii() and raw.isdigit() and len(raw) <= 16:
        return when(int(raw))
    if raw.startswith("0001-01-01"):
        return None
    if len(raw) > 10 and raw[10] == "T":
        # Plain ISO 8601 (most vendors): Python parses Z and over-long fractions itself; anything it
        # refuses takes the normalizing path below.
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if m := _SPACE_ZONE.match(raw):
        zone = m[3] or "UTC"
        raw = f"{m[1]}T{m[2]}{'+00:00' if zone == 'UTC' else zone}"
    raw = _FRACTION.sub(lambda m: "." + m[1], raw.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_at(obj: Any, *path: str | int) -> datetime | None:
    return when(get(obj, *path))


def first_time(*values: datetime | None) -> datetime:
    for value in values:
        if value is not None:
            return value
    raise NormalizationError("no vendor timestamp in the payload")
