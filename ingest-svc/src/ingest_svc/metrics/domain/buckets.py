"""Calendar buckets (day, ISO week, month) in a configurable time zone, DST included.

A bucket is a range of local calendar days; its UTC bounds come from zoneinfo, so a day is 23 or 25
hours long across a DST change and a week always starts at local Monday midnight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BUCKETS = ("day", "week", "month")


class BucketError(ValueError):
    """An unknown bucket kind or time zone."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BucketError(f"unknown time zone {name!r}") from exc


def local_day(at: datetime, tz: ZoneInfo) -> date:
    """The calendar day `at` falls on in `tz` (naive datetimes are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz).date()


def bucket_first_day(day: date, kind: str) -> date:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    raise BucketError(f"unknown bucket {kind!r}; use one of {', '.join(BUCKETS)}")


def next_bucket_day(first: date, kind: str) -> date:
    if kind == "day":
        return first + timedelta(days=1)
    if kind == "week":
        return first + timedelta(days=7)
    if kind == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    raise BucketError(f"unknown bucket {kind!r}; use one of {', '.join(BUCKETS)}")


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight of `day` as an aware UTC datetime (zoneinfo resolves DST)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def bucket_bounds(day: date, kind: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the bucket of `kind` containing local `day`."""
    first = bucket_first_day(day, kind)
    return day_start(first, tz), day_start(next_bucket_day(first, kind), tz)


def bucket_days(first_day: date, last_day: date, kind: str) -> list[tuple[date, date]]:
    """Buckets (first local day, first day of the next) covering [first_day, last_day)."""
    out = []
    day = bucket_first_day(first_day, kind)
    while day < last_day:
        nxt = next_bucket_day(day, kind)
        out.append((day, nxt))
        day = nxt
    return out
