"""Kubernetes rollouts, as an event exporter posts them: a core/v1 Event about a Deployment, or the
apps/v1 Deployment object itself (whose Progressing condition says whether the rollout finished)."""

from __future__ import annotations

import re
from typing import Any

from em_shared.contracts.base import deterministic_id
from em_shared.contracts.deployments import DeploymentChanged
from em_shared.contracts.subjects import S

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.fields import first_time, get, integer, items, need, str_map, text, time_at

HANDLED = frozenset(
    {"deployment", "event:ScalingReplicaSet", "event:DeploymentRollback", "event:ProgressDeadlineExceeded"}
)
_SCALED = re.compile(r"Scaled (up|down) replica set (\S+)")


def event_type(headers: dict[str, str], payload: Any) -> str:
    if text(payload, "kind") == "Deployment":
        return "deployment"
    return f"event:{text(payload, 'reason') or ''}"


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    uid, version = text(payload, "metadata", "uid"), text(payload, "metadata", "resourceVersion")
    return f"{uid}@{version}" if uid and version else None


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    p = d.payload
    if d.event_type == "deployment":
        return _from_object(d, p, catalog)
    obj = get(p, "involvedObject")
    if text(obj, "kind") != "Deployment":
        return []
    name, ns = need(obj, "name"), text(obj, "namespace") or "default"
    reason = d.event_type.removeprefix("event:")
    occurred = first_time(
        time_at(p, "lastTimestamp"),
        time_at(p, "eventTime"),
        time_at(p, "firstTimestamp"),
        time_at(p, "metadata", "creationTimestamp"),
    )
    message = text(p, "message") or ""
    if reason == "ScalingReplicaSet":
        m = _SCALED.search(message)
        if not m or m[1] != "up":
            return []  # scaling the old replica set down is the same rollout, already counted
        status, key = "in_progress", f"{ns}/{name}/{m[2]}"
    elif reason == "DeploymentRollback":
        status, key = "in_progress", f"{ns}/{name}/rollback@{occurred.isoformat()}"
    else:
        status, key = "failure", f"{ns}/{name}/{text(obj, 'resourceVersion') or occurred.isoformat()}"
    return [
        _event(
            d,
            catalog,
            name,
            ns,
            key,
            status,
            occurred,
            rollback=reason == "DeploymentRollback",
            description=message,
        )
    ]


def _from_object(d: Delivery, p: Any, catalog: Catalog) -> list[Emitted]:
    meta = get(p, "metadata")
    name, ns = need(meta, "name"), text(meta, "namespace") or "default"
    revision = (
        text(meta, "annotations", "deployment.kubernetes.io/revision") or text(meta, "generation") or "0"
    )
    progressing = next(
        (c for c in items(p, "status", "conditions") if text(c, "type") == "Progressing"), None
    )
    reason = text(progressing, "reason")
    generation_seen = (integer(p, "status", "observedGeneration") or 0) >= (integer(meta, "generation") or 0)
    replicas = integer(p, "spec", "replicas") or 1
    if reason == "ProgressDeadlineExceeded":
        status = "failure"
    elif (
        reason == "NewReplicaSetAvailable"
        and generation_seen
        and (integer(p, "status", "updatedReplicas") or 0) >= replicas
    ):
        status = "success"
    else:
        status = "in_progress"
    occurred = first_time(
        time_at(progressing, "lastUpdateTime"),
        time_at(progressing, "lastTransitionTime"),
        time_at(meta, "creationTimestamp"),
    )
    # `registry/app:tag`, maybe pinned to a digest (`...:tag@sha256:...`): the tag is the version.
    image = (text(p, "spec", "template", "spec", "containers", 0, "image") or "").split("@", 1)[0]
    version = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else None
    labels = str_map(meta, "labels")
    return [
        _event(
            d,
            catalog,
            name,
            ns,
            f"{ns}/{name}/rev{revision}",
            status,
            occurred,
            version=version,
            labels=labels,
            description=text(progressing, "message"),
        )
    ]


def _event(
    d: Delivery,
    catalog: Catalog,
    name: str,
    ns: str,
    key: str,
    status: str,
    occurred: Any,
    *,
    rollback: bool = False,
    version: str | None = None,
    labels: dict[str, str] | None = None,
    description: str | None = None,
) -> Emitted:
    owner = catalog.owner(
        app=name, labels=labels or {}, service=(labels or {}).get("app.kubernetes.io/name", name)
    )
    started = status == "in_progress"
    return Emitted(
        S.DEPLOYMENT_STARTED if started else S.DEPLOYMENT_FINISHED,
        DeploymentChanged(
            id=deterministic_id("kubernetes", d.instance, key, status),
            occurred_at=occurred,
            source=f"kubernetes/{d.instance}",
            causation_id=d.id,
            provider="kubernetes",
            deployment_key=key,
            service=owner.service or name,
            environment=h.environment_of(ns, d.instance, default=ns),
            status=status,
            version=version,
            sha=h.commit_of_tag(version),
            repository=catalog.repository_of(owner.service),
            is_rollback=rollback,
            started_at=occurred if started else None,
            finished_at=None if started else occurred,
            description=description,
            owner=owner,
        ),
    )
