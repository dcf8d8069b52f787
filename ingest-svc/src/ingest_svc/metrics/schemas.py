"""The response contract of `GET /v1/metrics/dora`, as Structs so OpenAPI documents it exactly.

A value that cannot be computed is null and its figure carries a `reason`; every figure lists
the ids behind it (deployment keys `provider:key`, commit shas, incident ids), capped per bucket.
"""

from __future__ import annotations

import msgspec


class _Figure(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    reason: str | None = None


class DeploymentFrequency(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    per_day: float | None
    days: int
    days_with_deployment: int
    share_of_days: float | None
    deployment_ids: list[str]


class LeadTime(_Figure, frozen=True, kw_only=True):
    median_s: float | None
    p90_s: float | None
    n: int
    commit_ids: list[str]


class ChangeFailureRate(_Figure, frozen=True, kw_only=True):
    value: float | None
    failed: int
    total: int
    pending: int
    deployment_ids: list[str]
    pending_ids: list[str]
    incident_ids: list[str]


class RecoveryTime(_Figure, frozen=True, kw_only=True):
    median_s: float | None
    p90_s: float | None
    n: int
    unrecovered: int
    deployment_ids: list[str]
    incident_ids: list[str]


class ReworkRate(_Figure, frozen=True, kw_only=True):
    value: float | None
    rework: int
    total: int
    deployment_ids: list[str]


class DeploymentAttempts(msgspec.Struct, frozen=True, kw_only=True):
    total: int
    failed: int
    failure_rate: float | None
    deployment_ids: list[str]


class Distribution(msgspec.Struct, frozen=True, kw_only=True):
    median_s: float | None
    p90_s: float | None
    n: int


class Levels(msgspec.Struct, frozen=True, kw_only=True):
    deployment_frequency: str | None
    lead_time: str | None
    change_failure_rate: str | None
    recovery_time: str | None
    overall: str | None
    model: str


class DoraFigures(msgspec.Struct, frozen=True, kw_only=True):
    start: str
    end: str
    deployment_frequency: DeploymentFrequency
    lead_time: LeadTime
    change_failure_rate: ChangeFailureRate
    recovery_time: RecoveryTime
    rework_rate: ReworkRate
    deployment_attempts: DeploymentAttempts
    incident_time_to_resolve: dict[str, Distribution]
    levels: Levels


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    service: str | None
    team: str | None
    env: str | None
    repository: str | None
    from_: str = msgspec.field(name="from")
    to: str
    bucket: str
    time_zone: str


class DoraResponse(msgspec.Struct, frozen=True, kw_only=True):
    filters: Filters
    buckets: list[DoraFigures]
    summary: DoraFigures
