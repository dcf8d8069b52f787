"""Refresh the classification of the deployments an event can have changed.

An event at time t can change the deployments of a service/environment from the last successful
deployment before the event's reach on (its `next` changes); everything before that anchor keeps
its outcome. So the fold reclassifies that suffix with the same pure function the full recompute
runs over the whole timeline, and marks the days whose outcomes changed for the rollups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

import asyncpg

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain.buckets import local_day
from ingest_svc.metrics.domain.timeline import Context, classify, commit_ranges
from ingest_svc.metrics.repository import rollups
from ingest_svc.metrics.repository import timeline as tl

Partition = tuple[str, str]  # (service, production environment)


def widen(parts: dict[Partition, datetime | None], part: Partition, since: datetime | None) -> None:
    """Record that `part` must be refreshed from `since` (None: from its beginning)."""
    if part in parts:
        current = parts[part]
        parts[part] = None if current is None or since is None else min(current, since)
    else:
        parts[part] = since


class Folder:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    async def fold(
        self, conn: asyncpg.Connection, parts: Mapping[Partition, datetime | None], now: datetime
    ) -> int:
        """Refresh every partition; returns how many outcomes changed."""
        changed = 0
        for (service, env), since in sorted(parts.items(), key=lambda kv: kv[0]):
            changed += await self._fold_one(conn, service, env, since, now)
        return changed

    async def _fold_one(
        self, conn: asyncpg.Connection, service: str, env: str, since: datetime | None, now: datetime
    ) -> int:
        start = since
        if since is not None:
            start = await tl.anchor(conn, service, env, since) or since
        deps = await tl.deployments(conn, service, env, start)
        prev_sha, prev_recovered_by = await tl.context_before(conn, service, env, start)
        ctx = Context(prev_sha, prev_recovered_by)
        ok = [d for d in deps if d.status == "success"]
        branches = {}
        for repo, ref in sorted(
            {(d.repository, d.ref) for d in ok if not d.commit_range and d.repository and d.ref}
        ):
            on_ref = [d for d in ok if (d.repository, d.ref) == (repo, ref)]
            shas = [d.sha for d in ok if d.sha] + ([prev_sha] if prev_sha else [])
            since_ref = min(d.finished_at for d in on_ref) - self.cfg.lookback
            branches[(repo, ref)] = await tl.branch(conn, repo, ref, since_ref, shas)
        ranges = commit_ranges(deps, ctx, branches, self.cfg.lookback)
        all_shas = sorted({sha for r in ranges.values() for sha in r})
        repos = sorted({d.repository for d in ok if d.repository})
        hot = await tl.hotfix_shas(conn, repos, all_shas)
        if hot:
            deps = [
                dataclasses.replace(d, is_hotfix=True) if set(ranges.get(d.key, ())) & hot else d
                for d in deps
            ]
        aliases = sorted({a for d in ok for a in (d.key, *d.aliases)})
        outcomes = classify(
            deps,
            context=ctx,
            ranges=ranges,
            already_deployed=await tl.already_deployed(conn, service, env, start, all_shas),
            commit_started=await tl.commit_starts(conn, all_shas, self.cfg.lead_mode),
            incidents=await tl.incidents(conn, service, env, start, aliases),
            reverts=await tl.reverts(conn, repos, start),
            window=self.cfg.window,
            now=now,
        )
        new = {o.key: tl.outcome_tuple(o, local_day(o.finished_at, self.cfg.tz)) for o in outcomes}
        old = await tl.stored_outcomes(conn, service, env, start)
        changed = [k for k in sorted(set(new) | set(old)) if new.get(k) != old.get(k)]
        if not changed:
            return 0
        await tl.replace_outcomes(conn, service, env, start, list(new.values()))
        days = []
        for key in changed:
            for row in (old.get(key), new.get(key)):
                if row is not None:
                    days.extend(outcome_days(row))
        await rollups.mark_dirty(conn, days)
        return len(changed)


def outcome_days(row: tuple) -> list[rollups.DirtyDay]:
    """The (scope, key, environment, day) partials an outcome row contributes to."""
    _, service, env, team, repository, _, day = row[:7]
    out = [("service", service, env, day), ("org", rollups.ORG_KEY, env, day)]
    if team:
        out.append(("team", team, env, day))
    if repository:
        out.append(("repository", repository, env, day))
    return out


def incident_days(row: Mapping) -> list[rollups.DirtyDay]:
    env = row["environment"] or "unspecified"
    out = [("org", rollups.ORG_KEY, env, row["day"])]
    if row["service"]:
        out.append(("service", row["service"], env, row["day"]))
    if row["team"]:
        out.append(("team", row["team"], env, row["day"]))
    return out
