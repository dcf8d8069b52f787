"""Amazon ECS via EventBridge (API destination or SNS): service deployment state changes."""

from __future__ import annotations

from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import aws
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, get, need, text, time_at

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


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    if d.event_type != "eventbridge:ECS Deployment State Change":
        return []  # task/service actions describe capacity, not deployments
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
                is_rollback=h.is_rollback(reason),
                started_at=occurred if started else None,
                finished_at=None if started else occurred,
                description=reason,
                owner=owner,
            ),
        )
    ]
