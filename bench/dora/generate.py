"""Synthetic canonical events for the DORA benchmark: services deploying, pushing, merging, failing.

Per service and day: pushes of 1-4 commits, a pull request opened and merged per push, a deployment
(started and finished; some fail, some are hotfixes or rollbacks), builds, and now and then an
incident opened and resolved. Everything is seeded, so two runs generate the same events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from em_shared.contracts.base import Event, deterministic_id
from em_shared.contracts.builds import BuildFinished
from em_shared.contracts.changes import Commit, CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.subjects import S

START = datetime(2024, 11, 4, tzinfo=UTC)


def service_events(
    index: int, teams: int, days: int, per_service: int, seed: int, start: datetime = START, offset: int = 0
) -> Iterator[tuple[str, Event]]:
    """About `per_service` events of service `index` over `days` days (`offset` continues a history)."""
    rng = random.Random(seed * 1_000_003 + index)
    service, team, repo = f"svc{index:03d}", f"team{index % teams:02d}", f"acme/svc{index:03d}"
    owner = Ownership(service=service, team=team, repository=repo)
    # ~5 events per deployment (push, PR opened, PR merged, deployment started, finished), plus
    # builds and incidents: pick the deployment rate that lands on the budget.
    deploys = max(1, int(per_service / 5.6))
    step = days * 86_400 / deploys
    produced, n_commit, pr, last_ok_sha = 0, offset * 10, offset, None
    for d in range(offset, offset + deploys):
        t = start + timedelta(seconds=(d - offset) * step + rng.uniform(0, step * 0.5))
        shas = []
        commits = []
        for _ in range(rng.randint(1, 4)):
            n_commit += 1
            sha = f"{index:03d}{n_commit:07d}"
            shas.append(sha)
            commits.append(Commit(sha=sha, committed_at=t - timedelta(hours=rng.uniform(1, 72))))
        pushed = t - timedelta(minutes=rng.uniform(20, 90))
        yield (
            S.COMMIT_PUSHED,
            CommitsPushed(
                id=deterministic_id("bench-push", repo, shas[-1]),
                occurred_at=pushed,
                source="bench",
                repository=repo,
                branch="main",
                after_sha=shas[-1],
                commits=commits,
                owner=owner,
            ),
        )
        pr += 1
        hotfix = rng.random() < 0.04
        opened = min(c.committed_at for c in commits if c.committed_at) + timedelta(minutes=30)
        for action, when in (("opened", opened), ("merged", pushed)):
            yield (
                S.PR_MERGED if action == "merged" else S.PR_OPENED,
                PullRequestChanged(
                    id=deterministic_id("bench-pr", repo, pr, action),
                    occurred_at=when,
                    source="bench",
                    repository=repo,
                    number=pr,
                    title=("hotfix: " if hotfix else "feat: ") + f"change {pr}",
                    action=action,
                    created_at=opened,
                    first_review_at=opened + timedelta(minutes=rng.uniform(5, 600)),
                    merged_at=pushed if action == "merged" else None,
                    merge_sha=shas[-1],
                    commit_shas=shas,
                    additions=rng.randint(1, 400),
                    deletions=rng.randint(0, 200),
                    owner=owner,
                ),
            )
        failed = rng.random() < 0.05
        rollback = not failed and last_ok_sha is not None and rng.random() < 0.03
        sha = last_ok_sha if rollback else shas[-1]
        key = f"{service}-{d}"
        finished = t + timedelta(minutes=rng.uniform(2, 20))
        for status, when in (("in_progress", t), ("failure" if failed else "success", finished)):
            yield (
                (S.DEPLOYMENT_STARTED if status == "in_progress" else S.DEPLOYMENT_FINISHED),
                DeploymentChanged(
                    id=deterministic_id("bench-deploy", key, status),
                    occurred_at=when,
                    source="bench",
                    provider="bench",
                    deployment_key=key,
                    service=service,
                    environment="production",
                    status=status,
                    sha=sha,
                    ref="main",
                    repository=repo,
                    started_at=t,
                    finished_at=finished if status != "in_progress" else None,
                    description="hotfix" if hotfix else None,
                    owner=owner,
                ),
            )
        if not failed and not rollback:
            last_ok_sha = shas[-1]
        produced += 5
        if rng.random() < 0.5:
            yield (
                S.BUILD_FINISHED,
                BuildFinished(
                    id=deterministic_id("bench-build", repo, d),
                    occurred_at=pushed,
                    source="bench",
                    provider="bench",
                    kind="pipeline",
                    external_id=f"{repo}-{d}",
                    name="ci",
                    status="failure" if rng.random() < 0.1 else "success",
                    repository=repo,
                    branch="main",
                    sha=shas[-1],
                    duration_s=rng.uniform(60, 900),
                    owner=owner,
                ),
            )
            produced += 1
        if rng.random() < 0.05:
            opened_at = finished + timedelta(hours=rng.uniform(0.1, 30))
            iid = f"{service}-inc-{d}"
            resolved = opened_at + timedelta(minutes=rng.uniform(10, 600))
            for seq, (change, res) in enumerate((("opened", None), ("resolved", resolved)), 1):
                snap = IncidentSnapshot(
                    id=iid,
                    number=d,
                    title="bench incident",
                    state="resolved" if res else "triggered",
                    severity=rng.choice(("critical", "high", "medium", "low")),
                    service=service,
                    team=team,
                    opened_at=opened_at,
                    resolved_at=res,
                )
                yield (
                    S.incident(change),
                    IncidentChanged(
                        id=deterministic_id("bench-incident", iid, seq),
                        occurred_at=res or opened_at,
                        source="bench",
                        change=change,
                        incident=snap,
                        sequence=seq,
                    ),
                )
            produced += 2
