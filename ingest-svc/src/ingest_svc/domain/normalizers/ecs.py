"""Amazon ECS via EventBridge (API destination or SNS): service deployment state changes, and tasks
that stopped unexpectedly (an alert signal on-call wants; a normal stop emits nothing)."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import aws
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, get, integer, items, need, text, time_at

HANDLED = frozenset(
    {
        "sns:SubscriptionConfirmation",
        "sns:UnsubscribeConfirmation",
        "eventbridge:ECS Deployment State Change",
        "eventbridge:ECS Task State Change",
        "eventbridge:ECS Service Action",
    }
)
_STATES = {
    "SERVICE_DEPLOYMENT_IN_PROGRESS": "in_progress",
    "SERVICE_DEPLOYMENT_COMPLETED": "success",
    "SERVICE_DEPLOYMENT_FAILED": "failure",
}


def event_type(headers: dict[str, str], payload: Any) -> str:
    return aws.event_type(payload)


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return aws.dedup_key(headers, payload)


# Task stop codes (ECS API reference, Task.stopCode) that are a failure on their own; other codes
# (UserInitiated, ServiceSchedulerInitiated scale-in or replacement, SpotInterruption,
# TerminationNotice) are planned stops unless a container says otherwise (OOM, non-zero exit).
_FAILED_STOPS = frozenset({"TaskFailedToStart"})
_OOM_MARKERS = ("outofmemory", "oom")


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    if d.event_type == "eventbridge:ECS Task State Change":
        return _task_stopped(d, catalog)
    if d.event_type != "eventbridge:ECS Deployment State Change":
        return []  # service actions describe capacity, not deployments
    body = aws.inner(d.payload)
    detail = get(body, "detail")
    status = _STATES.get(text(detail, "eventName") or "")
    if status is None:
        return []
    resource = text(body, "resources", 0) or ""
    # arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
    path = resource.split(":", 5)[-1].split("/")
    cluster, name = (path[1], path[2]) if len(path) == 3 else ("", path[-1] or need(detail, "deploymentId"))
    key = need(detail, "deploymentId")
    occurred = first_time(time_at(detail, "updatedAt"), time_at(body, "time"))
    owner = catalog.owner(app=name, service=name)
    reason = text(detail, "reason")
    started = status == "in_progress"
    return [
        Emitted(
            S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED,
            DeploymentChanged(
                id=deterministic_id("ecs", resource, key, status),
                occurred_at=occurred,
                source=f"ecs/{d.instance}",
                causation_id=d.id,
                provider="ecs",
                deployment_key=f"{resource}#{key}",
                service=owner.service or name,
                environment=h.environment_of(cluster, name),
                status=status,
                repository=catalog.repository_of(owner.service),
                is_rollback=h.is_rollback(reason),
                started_at=occurred if started else None,
                finished_at=None if started else occurred,
                description=reason,
                owner=owner,
            ),
        )
    ]


def _task_stopped(d: Delivery, catalog: Catalog) -> list[Emitted]:
    """A task that STOPPED unexpectedly: failed to start, an essential container exited non-zero, OOM."""
    body = aws.inner(d.payload)
    detail = get(body, "detail")
    if text(detail, "lastStatus") != "STOPPED":
        return []  # PENDING/RUNNING/DEPROVISIONING transitions are not failures
    code = text(detail, "stopCode") or ""
    reason = text(detail, "stoppedReason") or ""
    failed = [
        c
        for c in items(detail, "containers")
        if (integer(c, "exitCode") or 0) != 0 or _is_oom(text(c, "reason"))
    ]
    if code not in _FAILED_STOPS and not failed and not _is_oom(reason):
        return []  # scale-in, deployment replacement, user stop with exit 0: nothing for on-call
    task_arn = need(detail, "taskArn")
    # task definition family (arn:...:task-definition/<family>:<revision>) or the service group
    group = text(detail, "group") or ""
    family = (text(detail, "taskDefinitionArn") or "").rsplit("/", 1)[-1].split(":")[0]
    name = group.removeprefix("service:") if group.startswith("service:") else family or group
    cluster = (text(detail, "clusterArn") or "").rsplit("/", 1)[-1]
    culprit = failed[0] if failed else None
    exit_code = integer(culprit, "exitCode") if culprit is not None else None
    oom = _is_oom(reason) or any(_is_oom(text(c, "reason")) for c in failed)
    why = (text(culprit, "reason") if culprit is not None else None) or reason or code
    title = f"ECS task of {name or 'unknown'} stopped: {why}"
    if exit_code:
        title += f" (exit {exit_code})"
    occurred = first_time(
        time_at(detail, "stoppedAt"),
        time_at(detail, "stoppingAt"),
        time_at(detail, "updatedAt"),
        time_at(body, "time"),
    )
    labels = {"cluster": cluster, "stop_code": code, "task_definition": family}
    if culprit is not None:
        labels["container"] = text(culprit, "name") or ""
    if exit_code is not None:
        labels["exit_code"] = str(exit_code)
    if oom:
        labels["oom"] = "true"
    return [
        alert(
            d,
            vendor="ecs",
            external_id=task_arn,
            status="firing",
            title=title,
            occurred_at=occurred,
            # One problem per task family and cluster: a crash loop's tasks share a fingerprint.
            identity=(cluster, name, code),
            reported_severity="critical" if code in _FAILED_STOPS or oom else "error",
            alert_name="ECS task stopped",
            labels={k: v for k, v in labels.items() if v},
            description=reason or None,
            started_at=time_at(detail, "startedAt"),
            url=None,
            owner=catalog.owner(app=name, service=name),
        )
    ]


def _is_oom(reason: str | None) -> bool:
    lowered = (reason or "").lower()
    return any(marker in lowered for marker in _OOM_MARKERS)
