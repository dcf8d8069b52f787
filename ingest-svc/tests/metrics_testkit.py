"""Helpers of the metrics module tests: canonical event builders and waiting for the metrics module."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.changes import Commit, CommitsPushed, PullRequestChanged
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot
from em_shared.contracts.ownership import Ownership
from em_shared.contracts.subjects import S
from em_shared.runtime.settings import load_settings
from ingest_svc.settings import IngestSettings


def deployment(
    key: str,
    service: str,
    finished: datetime,
    *,
    env: str = "production",
    status: str = "success",
    sha: str | None = None,
    team: str | None = None,
    repo: str | None = None,
    ref: str = "main",
    version: str | None = None,
    commit_range: list[str] | None = None,
    is_rollback: bool = False,
    description: str | None = None,
) -> tuple[str, DeploymentChanged]:
    event = DeploymentChanged(
        id=deterministic_id("test-deploy", key, status),
        occurred_at=finished,
        source="test",
        provider="gha",
        deployment_key=key,
        service=service,
        environment=env,
        status=status,
        sha=sha,
        ref=ref,
        repository=repo or f"acme/{service}",
        version=version,
        commit_range=commit_range or [],
        is_rollback=is_rollback,
        finished_at=finished,
        description=description,
        owner=Ownership(service=service, team=team, repository=repo or f"acme/{service}"),
    )
    return S.DEPLOYMENT_FINISHED, event


def push(
    repo: str,
    commits: list[tuple[str, datetime]],
    at: datetime,
    *,
    branch: str = "main",
    messages: dict[str, str] | None = None,
) -> tuple[str, CommitsPushed]:
    messages = messages or {}
    event = CommitsPushed(
        id=deterministic_id("test-push", repo, branch, commits[-1][0]),
        occurred_at=at,
        source="test",
        repository=repo,
        branch=branch,
        after_sha=commits[-1][0],
        commits=[Commit(sha=s, committed_at=t, message=messages.get(s)) for s, t in commits],
    )
    return S.COMMIT_PUSHED, event


def incident(
    iid: str,
    service: str | None,
    opened: datetime,
    *,
    resolved: datetime | None = None,
    seq: int = 1,
    severity: str = "high",
    linked: list[str] | None = None,
    team: str | None = None,
    env: str | None = None,
) -> tuple[str, IncidentChanged]:
    state = "resolved" if resolved else "triggered"
    snap = IncidentSnapshot(
        id=iid,
        number=seq,
        title=f"incident {iid}",
        state=state,
        severity=severity,
        service=service,
        team=team,
        environment=env,
        opened_at=opened,
        resolved_at=resolved,
        linked_deployment_ids=linked or [],
    )
    change = "resolved" if resolved else "opened"
    event = IncidentChanged(
        id=deterministic_id("test-incident", iid, seq),
        occurred_at=resolved or opened,
        source="incident",
        change=change,
        incident=snap,
        sequence=seq,
    )
    return S.incident(change), event


def pull_request(
    repo: str,
    number: int,
    *,
    title: str,
    merged: datetime,
    created: datetime,
    first_commit: datetime | None = None,
    first_review: datetime | None = None,
    merge_sha: str | None = None,
    shas: list[str] | None = None,
    labels: list[str] | None = None,
    body: str | None = None,
    branch: str = "feature",
    additions: int = 10,
    deletions: int = 2,
    service: str | None = None,
    team: str | None = None,
) -> tuple[str, PullRequestChanged]:
    event = PullRequestChanged(
        id=deterministic_id("test-pr", repo, number, "merged"),
        occurred_at=merged,
        source="test",
        repository=repo,
        number=number,
        title=title,
        action="merged",
        created_at=created,
        first_commit_at=first_commit,
        first_review_at=first_review,
        merged_at=merged,
        merge_sha=merge_sha,
        commit_shas=shas or [],
        labels=labels or [],
        body=body,
        source_branch=branch,
        target_branch="main",
        additions=additions,
        deletions=deletions,
        owner=Ownership(service=service, team=team, repository=repo),
    )
    return S.PR_MERGED, event


async def settle(svc: Any, streams: tuple[str, ...] = ("INGEST", "INCIDENT"), timeout: float = 30.0) -> None:
    """Wait until every metrics consumer has acked everything and the rollups are rebuilt."""
    module = svc.ctx.state["metrics"]
    js = svc.ctx.broker.connection.jetstream()
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        busy = 0
        for stream in streams:
            name = svc.ctx.topology.stream(stream)
            for info in await js.consumers_info(name):
                if info.name.endswith(tuple(d.replace(".", "_") for d in _durables())):
                    busy += (info.num_pending or 0) + (info.num_ack_pending or 0)
        if busy == 0:
            await module.tick()
            if await module.dirty() == 0:
                return
        await asyncio.sleep(0.1)
    raise TimeoutError("metrics consumers did not settle")


def _durables() -> list[str]:
    from ingest_svc.metrics.subscribers import EVENTS

    return [durable for _, durable, _, _ in EVENTS]


async def apply(ingestor: Any, subject: str, event: Any) -> None:
    """Route one canonical event to the metrics use case its consumer would call."""
    await getattr(ingestor, kind_of(subject))(event)


async def apply_batch(ingestor: Any, items: list[tuple[str, Any]]) -> None:
    """Fold several canonical events in one transaction, as a consumer's pulled batch is folded."""
    await ingestor.fold([(kind_of(subject), event) for subject, event in items])


def kind_of(subject: str) -> str:
    """The Ingestor use case (batch kind) of a canonical subject."""
    from ingest_svc.metrics.subscribers import EVENTS

    for pattern, _, _, method in EVENTS:
        if _matches(pattern, subject):
            return method
    raise KeyError(subject)


def _matches(pattern: str, subject: str) -> bool:
    p, s = pattern.split("."), subject.split(".")
    return len(p) == len(s) and all(a in ("*", b) for a, b in zip(p, s, strict=True))


def ingest_settings(servers: Any, namespace: str, **overrides: Any) -> IngestSettings:
    """ingest-svc's settings on the test servers and namespace, any port, plus the test's own."""
    return load_settings(
        IngestSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        port=0,
        **overrides,
    )


async def month_summary(
    servers: Any,
    namespace: str,
    batches: list[list[tuple[str, Any]]],
    month: datetime,
    *,
    settle_each: bool = False,
) -> dict[str, Any]:
    """Run a live ingest-svc, publish each batch of canonical events (settling after each batch, or
    after each event with `settle_each`), and return the DORA summary of `month`'s calendar month."""
    from em_shared.contracts.metrics import DoraQuery
    from em_shared.testing.live import live_service
    from ingest_svc.app import create_service

    start = month.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    settings = ingest_settings(servers, namespace)
    async with live_service(create_service(settings), settings) as svc:
        for batch in batches:
            for subject, event in batch:
                await svc.ctx.publisher.publish(subject, event)
                if settle_each:
                    await settle(svc)
            await settle(svc)
        reply = await svc.ctx.rpc.call(
            "rpc.metrics.dora", DoraQuery(start=start, end=end, bucket="month"), dict
        )
    return reply["summary"]  # type: ignore[no-any-return]
