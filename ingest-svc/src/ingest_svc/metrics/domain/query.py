"""Query parameters -> validated filters over whole local days (pure; bad input -> QueryError)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ingest_svc.metrics.domain.buckets import BUCKETS, bucket_days, day_start, local_day


class QueryError(ValueError):
    """A bad query parameter; `field` names it (the handlers answer 400 with the message)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


_NAME = re.compile(r"^[\w.:/@+-]{1,200}$")
# Day arithmetic (time zones, bucket alignment, the default range) steps months away from a bound;
# near year 1 or 9999 Python's date overflows, so instants outside these years are a 400, not a 500.
YEARS = range(1000, 9000)


@dataclass(frozen=True)
class Filters:
    service: str | None
    team: str | None
    env: str | None
    repository: str | None
    first_day: date  # first local day of the first bucket
    last_day: date  # first local day after the last bucket
    bucket: str

    def buckets(self) -> list[tuple[date, date]]:
        return bucket_days(self.first_day, self.last_day, self.bucket)

    def single_scope(self) -> tuple[str, str] | None:
        """(scope, key) when at most one grouping filter is set, so stored partials answer the query."""
        given = [
            (s, k)
            for s, k in (("service", self.service), ("team", self.team), ("repository", self.repository))
            if k is not None
        ]
        if not given:
            return ("org", "all")
        return given[0] if len(given) == 1 else None

    def echo(self, tz: ZoneInfo) -> dict[str, object]:
        return {
            "service": self.service,
            "team": self.team,
            "env": self.env,
            "repository": self.repository,
            "from": day_start(self.first_day, tz).isoformat(),
            "to": day_start(self.last_day, tz).isoformat(),
            "bucket": self.bucket,
            "time_zone": tz.key,
        }


def _name(field: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _NAME.match(value):
        raise QueryError(f"{field}: expected 1-200 letters, digits or . _ - : / @ +", field)
    return value


def _instant(field: str, value: str | datetime | date | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError as exc:
            raise QueryError(f"{field}: not an ISO-8601 date or datetime: {value!r}", field) from exc
    if parsed.year not in YEARS:
        raise QueryError(f"{field}: the year must be {YEARS.start}..{YEARS.stop - 1}: {value!s}", field)
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def parse_filters(
    *,
    service: str | None,
    team: str | None,
    env: str | None,
    repository: str | None,
    start: str | datetime | date | None,
    end: str | datetime | date | None,
    bucket: str | None,
    tz: ZoneInfo,
    today: date,
    default_days: int,
    max_days: int,
) -> Filters:
    kind = bucket or "week"
    if kind not in BUCKETS:
        raise QueryError(f"bucket: must be one of {', '.join(BUCKETS)}, not {kind!r}", "bucket")
    to = _instant("to", end)
    frm = _instant("from", start)
    if to is None:
        last = today + timedelta(days=1)
    elif isinstance(to, datetime):
        last = local_day(to - timedelta(microseconds=1), tz) + timedelta(days=1)
    else:
        last = to
    first = (
        last - timedelta(days=default_days)
        if frm is None
        else (local_day(frm, tz) if isinstance(frm, datetime) else frm)
    )
    if first >= last:
        raise QueryError("from: must be before to", "from")
    if (last - first).days > max_days:
        raise QueryError(f"from/to: range too long: {(last - first).days} days (at most {max_days})", "from")
    spans = bucket_days(first, last, kind)
    return Filters(
        service=_name("service", service),
        team=_name("team", team),
        env=(_name("env", env) or "").lower() or None,  # stored in lower case
        repository=(_name("repository", repository) or "").lower() or None,  # stored in lower case
        first_day=spans[0][0],
        last_day=spans[-1][1],
        bucket=kind,
    )
