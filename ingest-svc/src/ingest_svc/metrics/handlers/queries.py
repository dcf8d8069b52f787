"""Answer `GET /v1/metrics/{dora,flow,quality}` and `rpc.metrics.*` with one code path.

Single-scope DORA queries (none or one of service/team/repository, any environment) merge stored
day partials; a combination of filters builds the same partials from the outcomes on the fly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import asyncpg
from em_shared.contracts.base import utcnow
from em_shared.contracts.metrics import DoraQuery
from em_shared.messaging.errors import InvalidInput

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain import figures as fig
from ingest_svc.metrics.domain.buckets import day_start, local_day
from ingest_svc.metrics.domain.flow import flow_figures, quality_figures
from ingest_svc.metrics.domain.query import Filters, QueryError, parse_filters
from ingest_svc.metrics.repository import reads, rollups


class Queries:
    def __init__(self, pool: asyncpg.Pool, cfg: Config, clock: Callable[[], datetime] = utcnow) -> None:
        self.pool = pool
        self.cfg = cfg
        self.clock = clock

    def filters(self, q: DoraQuery | dict[str, Any]) -> Filters:
        """Validated filters; a bad parameter is `InvalidInput` (HTTP 400, RPC `invalid`)."""
        get = (lambda k: q.get(k)) if isinstance(q, dict) else (lambda k: getattr(q, k))
        try:
            return parse_filters(
                service=get("service"),
                team=get("team"),
                env=get("env"),
                repository=get("repository"),
                start=get("start"),
                end=get("end"),
                bucket=get("bucket"),
                tz=self.cfg.tz,
                today=local_day(self.clock(), self.cfg.tz),
                default_days=self.cfg.default_range_days,
                max_days=self.cfg.max_range_days,
            )
        except QueryError as exc:
            raise InvalidInput(str(exc), {"field": exc.field}) from exc

    async def dora(self, f: Filters) -> dict[str, Any]:
        by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
        async with self.pool.acquire() as conn:
            scope = f.single_scope()
            if scope is not None:
                for day, _, p in await rollups.read_partials(
                    conn, scope[0], scope[1], f.env, f.first_day, f.last_day
                ):
                    by_day[day].append(p)
            else:
                deploys = await reads.filtered_outcomes(
                    conn, f.service, f.team, f.repository, f.env, f.first_day, f.last_day
                )
                incidents = (
                    {}
                    if f.repository
                    else await reads.filtered_incidents(
                        conn, f.service, f.team, f.env, f.first_day, f.last_day
                    )
                )
                for day in sorted(set(deploys) | set(incidents)):
                    by_day[day].append(
                        fig.partial(deploys.get(day, []), incidents.get(day, []), self.cfg.limit)
                    )
        days = {d: fig.merge_days(ps, self.cfg.limit) for d, ps in by_day.items()}
        buckets, merged_buckets = [], []
        for first, nxt in f.buckets():
            merged = fig.merge((days[d] for d in sorted(days) if first <= d < nxt), self.cfg.limit)
            merged_buckets.append(merged)
            buckets.append(
                self._with_bounds(first, nxt, fig.figures(merged, (nxt - first).days, self.cfg.min_sample))
            )
        # The buckets tile the range, so the summary is the merge of the merged buckets: counts and
        # samples add up, and capped id lists keep the same first ids (see `fig.merge`).
        total = fig.merge(merged_buckets, self.cfg.limit)
        summary = fig.figures(total, (f.last_day - f.first_day).days, self.cfg.min_sample)
        return {
            "filters": f.echo(self.cfg.tz),
            "buckets": buckets,
            "summary": self._with_bounds(f.first_day, f.last_day, summary),
        }

    async def flow(self, f: Filters) -> dict[str, Any]:
        start, end = day_start(f.first_day, self.cfg.tz), day_start(f.last_day, self.cfg.tz)
        async with self.pool.acquire() as conn:
            prs = await reads.merged_pull_requests(conn, f.service, f.team, f.repository, f.env, start, end)
            builds = await reads.builds(conn, f.service, f.team, f.repository, start, end)
        buckets = []
        for first, nxt in f.buckets():
            lo, hi = day_start(first, self.cfg.tz), day_start(nxt, self.cfg.tz)
            values = flow_figures(
                [p for p in prs if lo <= p.merged_at < hi],
                [b for at, b in builds if lo <= at < hi],
                self.cfg.limit,
            )
            buckets.append(self._with_bounds(first, nxt, values))
        summary = flow_figures(prs, [b for _, b in builds], self.cfg.limit)
        return {
            "filters": f.echo(self.cfg.tz),
            "buckets": buckets,
            "summary": self._with_bounds(f.first_day, f.last_day, summary),
        }

    async def quality(self, f: Filters) -> dict[str, Any]:
        start, end = day_start(f.first_day, self.cfg.tz), day_start(f.last_day, self.cfg.tz)
        async with self.pool.acquire() as conn:
            reports = await reads.quality_reports(conn, f.service, f.team, f.repository, start, end)
        buckets = []
        for first, nxt in f.buckets():
            lo, hi = day_start(first, self.cfg.tz), day_start(nxt, self.cfg.tz)
            buckets.append(
                self._with_bounds(first, nxt, quality_figures(r for r in reports if lo <= r.at < hi))
            )
        return {
            "filters": f.echo(self.cfg.tz),
            "buckets": buckets,
            "summary": self._with_bounds(f.first_day, f.last_day, quality_figures(reports)),
        }

    def _with_bounds(self, first: date, nxt: date, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "start": day_start(first, self.cfg.tz).isoformat(),
            "end": day_start(nxt, self.cfg.tz).isoformat(),
            **values,
        }
