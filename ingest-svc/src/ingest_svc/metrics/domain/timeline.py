"""Classify the production deployments of one service and environment, in finish order.

Given the deployments from an anchor on (the suffix the repository loads), the incidents, reverts
and pushed commits around them, this decides for each deployment: its commits and their lead
times, whether it failed (and why, and when it recovered), whether it is still pending, and
whether it is rework. The same function serves the incremental path and the full recompute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingest_svc.metrics.domain.facts import BranchCommit, DeploymentFact, IncidentFact, Outcome, RevertFact
from ingest_svc.metrics.domain.rules import incident_concerns


@dataclass(frozen=True)
class Context:
    """What precedes the loaded suffix: the previous deployed commit and whom it was recovered by."""

    prev_sha: str | None = None
    prev_recovered_by: str | None = None


def commit_ranges(
    deployments: Sequence[DeploymentFact],
    context: Context,
    branches: Mapping[tuple[str, str], Sequence[BranchCommit]],
    lookback: timedelta,
) -> dict[str, tuple[str, ...]]:
    """Each successful deployment's commits: the source's range, else the commits pushed to the
    deployed ref after the previously deployed commit up to the deployed one (empty for a rollback
    to an older commit; for a first deployment, the pushes within `lookback`)."""
    out: dict[str, tuple[str, ...]] = {}
    prev_sha = context.prev_sha
    indexes = {key: {c.sha: i for i, c in enumerate(seq)} for key, seq in branches.items()}
    for d in deployments:
        if d.status != "success":
            continue
        if d.commit_range:
            out[d.key] = tuple(dict.fromkeys(d.commit_range))
        else:
            branch = (d.repository or "", d.ref or "")
            out[d.key] = _pushed_range(
                d, prev_sha, branches.get(branch, ()), indexes.get(branch, {}), lookback
            )
        prev_sha = d.sha or prev_sha
    return out


def _pushed_range(
    d: DeploymentFact,
    prev_sha: str | None,
    seq: Sequence[BranchCommit],
    index: Mapping[str, int],
    lookback: timedelta,
) -> tuple[str, ...]:
    if d.sha is None or d.sha not in index:
        return (d.sha,) if d.sha else ()
    end = index[d.sha]
    if prev_sha is not None and prev_sha in index:
        return tuple(c.sha for c in seq[index[prev_sha] + 1 : end + 1])
    if prev_sha is not None and prev_sha == d.sha:
        return ()
    since = d.finished_at - lookback
    return tuple(c.sha for c in seq[: end + 1] if c.pushed_at >= since)


def classify(
    deployments: Sequence[DeploymentFact],
    *,
    context: Context,
    ranges: Mapping[str, tuple[str, ...]],
    already_deployed: frozenset[str],
    commit_started: Mapping[str, datetime],
    incidents: Sequence[IncidentFact],
    reverts: Sequence[RevertFact],
    window: timedelta,
    now: datetime,
) -> list[Outcome]:
    """Outcomes of `deployments` (one service and environment, sorted by finish then key)."""
    ok = [d for d in deployments if d.status == "success"]
    by_alias: dict[str, str] = {}
    for d in ok:
        for alias in (d.key, *d.aliases):
            by_alias[alias] = d.key
    explicit: dict[str, list[IncidentFact]] = {}
    unlinked: list[IncidentFact] = []
    for inc in incidents:
        targets = {by_alias[a] for a in inc.linked_deployments if a in by_alias}
        for key in targets:
            explicit.setdefault(key, []).append(inc)
        if not inc.linked_deployments:
            unlinked.append(inc)

    seen = set(already_deployed)
    outcomes: dict[str, Outcome] = {}
    recovered_prev = context.prev_recovered_by
    for i, d in enumerate(ok):
        nxt = ok[i + 1] if i + 1 < len(ok) else None
        window_end = d.finished_at + window
        close = min(window_end, nxt.finished_at) if nxt else window_end
        commits = ranges.get(d.key, ())
        leads = []
        for sha in commits:
            if sha in seen:
                continue
            seen.add(sha)
            started = commit_started.get(sha)
            if started is not None:
                leads.append((sha, max(0.0, (d.finished_at - started).total_seconds())))
        cause, causal, failure_at = _failure(
            d, nxt, close, window_end, explicit.get(d.key, []), unlinked, reverts, set(commits)
        )
        recovered_at, recovered_by = None, None
        if cause is not None:
            assert failure_at is not None
            resolved = [inc.resolved_at for inc in causal]
            incident_recovery = max(resolved) if resolved and all(r is not None for r in resolved) else None
            deploy_recovery = nxt.finished_at if nxt and nxt.finished_at > failure_at else None
            if cause in ("rollback", "revert", "hotfix"):
                incident_recovery = None
                deploy_recovery = nxt.finished_at if nxt else None
            candidates = [t for t in (incident_recovery, deploy_recovery) if t is not None]
            if candidates:
                recovered_at = min(candidates)
                if deploy_recovery is not None and recovered_at == deploy_recovery and nxt is not None:
                    recovered_by = nxt.key
        rework = "hotfix" if d.is_hotfix else ("recovery" if recovered_prev == d.key else None)
        status = "failed" if cause else ("pending" if now < close else "success")
        outcomes[d.key] = Outcome(
            key=d.key,
            service=d.service,
            environment=d.environment,
            finished_at=d.finished_at,
            status=status,
            team=d.team,
            repository=d.repository,
            cause=cause,
            incident_ids=tuple(sorted({inc.id for inc in causal})),
            failure_at=failure_at,
            recovered_at=recovered_at,
            recovered_by=recovered_by,
            rework=rework,
            window_end=close,
            commits=commits,
            leads=tuple(leads),
        )
        recovered_prev = recovered_by
    result = []
    for d in deployments:
        if d.status == "success":
            result.append(outcomes[d.key])
        else:
            result.append(
                Outcome(
                    key=d.key,
                    service=d.service,
                    environment=d.environment,
                    finished_at=d.finished_at,
                    status="attempt_failed",
                    team=d.team,
                    repository=d.repository,
                )
            )
    return result


def _failure(
    d: DeploymentFact,
    nxt: DeploymentFact | None,
    close: datetime,
    window_end: datetime,
    linked: list[IncidentFact],
    unlinked: Sequence[IncidentFact],
    reverts: Sequence[RevertFact],
    commits: set[str],
) -> tuple[str | None, list[IncidentFact], datetime | None]:
    """The first cause that marks `d` failed, in order of evidence strength; a deployment fails once."""
    if linked:
        return "incident_linked", linked, min(inc.opened_at for inc in linked)
    attributed = [
        inc
        for inc in unlinked
        if inc.service == d.service
        and incident_concerns(inc.environment, d.environment)
        and d.finished_at <= inc.opened_at < close
    ]
    if attributed:
        return "incident_window", attributed, min(inc.opened_at for inc in attributed)
    if nxt is not None and nxt.finished_at <= window_end and _rolls_back(nxt, d):
        return "rollback", [], d.finished_at
    if any(r.sha in commits and d.finished_at <= r.at < close for r in reverts):
        return "revert", [], d.finished_at
    if nxt is not None and nxt.finished_at <= window_end and nxt.is_hotfix:
        return "hotfix", [], d.finished_at
    return None, [], None


def _rolls_back(nxt: DeploymentFact, d: DeploymentFact) -> bool:
    """`nxt` rolls `d` back: the source says so, or it deploys an older version than `d` runs.

    "Older" compares when each version was first deployed, not `nxt`'s version with `d`'s finish: when
    `d` is itself a rollback (it redeploys an old version), redeploying the newer version it replaced
    is a roll-forward once the cause is fixed, and must not mark the remediation `d` as failed."""
    if nxt.is_rollback:
        return True
    same = (nxt.sha is not None and nxt.sha == d.sha) or (nxt.sha is None and nxt.version == d.version)
    first = nxt.version_first_deployed_at
    current = d.version_first_deployed_at or d.finished_at
    return not same and first is not None and first < current
