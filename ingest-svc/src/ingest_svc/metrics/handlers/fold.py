"""Refresh the classification of the deployments a batch of events can have changed.

An event at time t can change the deployments of a service/environment from the last successful
deployment before the event's reach on (its `next` changes); everything before that anchor keeps
its outcome. So the fold reclassifies that suffix with the same pure function the full recompute
runs over the whole timeline, and marks the days whose outcomes changed for the rollups.

All the partitions of one pass are loaded together (a dozen round trips in all, see
`repository/timeline.py`) and each is classified once, however many events of the batch touch it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from ingest_svc.metrics.config import Config
from ingest_svc.metrics.domain.buckets import local_day
from ingest_svc.metrics.domain.facts import BranchCommit, DeploymentFact
from ingest_svc.metrics.domain.timeline import Context, classify, commit_ranges
from ingest_svc.metrics.repository import outcomes as out
from ingest_svc.metrics.repository import rollups
from ingest_svc.metrics.repository import timeline as tl

Partition = tl.Partition
# Partitions per pass: bounds the rows a full recompute holds in memory at once.
CHUNK = 25


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
        ordered = sorted(parts.items(), key=lambda kv: kv[0])
        changed = 0
        for i in range(0, len(ordered), CHUNK):
            changed += await self._fold(conn, dict(ordered[i : i + CHUNK]), now)
        return changed

    async def _fold(
        self, conn: asyncpg.Connection, since: dict[Partition, datetime | None], now: datetime
    ) -> int:
        starts = await tl.starts(conn, since)
        start = {p: s.at for p, s in starts.items()}
        deps = await self._with_pushed_refs(conn, await tl.deployments(conn, start))
        ctxs = {p: Context(s.prev_sha, s.prev_recovered_by) for p, s in starts.items()}
        branches = await self._branches(conn, deps, ctxs)
        ranges = {p: commit_ranges(deps[p], ctxs[p], branches, self.cfg.lookback) for p in since}
        all_shas = sorted({sha for r in ranges.values() for shas in r.values() for sha in shas})
        ok = [d for ds in deps.values() for d in ds if d.status == "success"]
        repos = sorted({d.repository for d in ok if d.repository})
        hot = await tl.hotfix_shas(conn, repos, all_shas)
        already = await tl.already_deployed(conn, start, all_shas)
        commit_started = await tl.commit_starts(conn, all_shas, self.cfg.lead_mode)
        incidents = await tl.incidents(conn, start, sorted({a for d in ok for a in (d.key, *d.aliases)}))
        bounded = [t for t in start.values() if t is not None]
        reverts = await tl.reverts(conn, repos, min(bounded) if len(bounded) == len(start) else None)
        new: dict[Partition, dict[str, tuple[Any, ...]]] = {}
        for p in sorted(since):
            outcomes = classify(
                _mark_hotfixes(deps[p], ranges[p], hot),
                context=ctxs[p],
                ranges=ranges[p],
                already_deployed=already.get(p, frozenset()),
                commit_started=commit_started,
                incidents=incidents[p],
                reverts=reverts,
                window=self.cfg.window,
                now=now,
            )
            new[p] = {o.key: out.outcome_tuple(o, local_day(o.finished_at, self.cfg.tz)) for o in outcomes}
        old = await out.stored(conn, start)
        keys, rows, days = [], [], []
        for p in sorted(since):
            for key in sorted(set(new[p]) | set(old[p])):
                before, after = old[p].get(key), new[p].get(key)
                if before == after:
                    continue
                keys.append(key)
                for row in (before, after):
                    if row is not None:
                        days.extend(outcome_days(row))
                if after is not None:
                    rows.append(after)
        for row in await out.write(conn, keys, rows):
            days.extend(outcome_days(row))
        await rollups.mark_dirty(conn, days)
        return len(keys)

    async def _with_pushed_refs(
        self, conn: asyncpg.Connection, deps: dict[Partition, list[DeploymentFact]]
    ) -> dict[Partition, list[DeploymentFact]]:
        """Deployments that name the commit but no branch holding it deployed it from the branch it was
        last pushed to before they finished: their commits are that branch's, as for a deployment that
        names the branch. That covers tools naming no ref (Argo CD, Heroku, ECS, Kubernetes) and refs
        that are no branch of the commit: a release tag (`v3.1.0`, GitLab tag pipelines) or the sha
        itself (GitHub deployments created with `ref: github.sha`). Without it such a deployment
        contained only its own commit, and the lead time missed every earlier commit it shipped."""
        wanted: dict[tuple[str, str, str], datetime] = {}
        for ds in deps.values():
            for d in filter(_reads_pushes, ds):
                key = (d.repository or "", d.sha or "", d.ref or "")
                wanted[key] = max(wanted.get(key, d.finished_at), d.finished_at)
        found = await tl.pushed_branches(conn, dict(sorted(wanted.items()))) if wanted else {}
        if not found:
            return deps
        return {
            p: [
                dataclasses.replace(d, ref=ref)
                if _reads_pushes(d)
                and (ref := found.get((d.repository or "", d.sha or "", d.ref or "")))
                and ref != d.ref
                else d
                for d in ds
            ]
            for p, ds in deps.items()
        }

    async def _branches(
        self,
        conn: asyncpg.Connection,
        deps: dict[Partition, list[DeploymentFact]],
        ctxs: dict[Partition, Context],
    ) -> dict[tuple[str, str], list[BranchCommit]]:
        """Pushes to every deployed ref whose deployments give no commit range, from early enough that
        each range's bounds (the previously deployed commit, the lookback) are inside."""
        since: dict[tuple[str, str], datetime] = {}
        shas: set[str] = set()
        for p, ds in deps.items():
            ok = [d for d in ds if d.status == "success"]
            for d in ok:
                if not d.commit_range and d.repository and d.ref:
                    branch = (d.repository, d.ref)
                    at = d.finished_at - self.cfg.lookback
                    since[branch] = min(since.get(branch, at), at)
            shas.update(d.sha for d in ok if d.sha)
            if ctxs[p].prev_sha:
                shas.add(ctxs[p].prev_sha)  # type: ignore[arg-type]
        if not since:
            return {}
        return await tl.branches(conn, dict(sorted(since.items())), sorted(shas))


def _reads_pushes(d: DeploymentFact) -> bool:
    """A successful deployment of a known commit and repository that gives no commit range: its
    commits come from the pushes of the branch holding its commit."""
    return d.status == "success" and not d.commit_range and bool(d.repository and d.sha)


def _mark_hotfixes(
    deps: list[DeploymentFact], ranges: Mapping[str, tuple[str, ...]], hot: frozenset[str]
) -> list[DeploymentFact]:
    """A deployment carrying a commit of a hotfix pull request is a hotfix."""
    if not hot:
        return deps
    return [dataclasses.replace(d, is_hotfix=True) if set(ranges.get(d.key, ())) & hot else d for d in deps]


def outcome_days(row: tuple[Any, ...]) -> list[rollups.DirtyDay]:
    """The (scope, key, environment, day) partials an outcome row contributes to."""
    _, service, env, team, repository, _, day = row[:7]
    out = [("service", service, env, day), ("org", rollups.ORG_KEY, env, day)]
    if team:
        out.append(("team", team, env, day))
    if repository:
        out.append(("repository", repository, env, day))
    return out


def incident_days(row: Mapping[str, Any]) -> list[rollups.DirtyDay]:
    env = row["environment"] or "unspecified"
    out = [("org", rollups.ORG_KEY, env, row["day"])]
    if row["service"]:
        out.append(("service", row["service"], env, row["day"]))
    if row["team"]:
        out.append(("team", row["team"], env, row["day"]))
    return out
