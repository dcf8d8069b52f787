"""DORA rollup events and `rpc.metrics.*` queries (served by ingest-svc's metrics module)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from em_shared.contracts.base import Event, RpcRequest


class DoraQuery(RpcRequest, frozen=True, kw_only=True):
    """`rpc.metrics.dora`: the same parameters as `GET /v1/metrics/dora`."""

    service: str | None = None
    team: str | None = None
    env: str | None = None
    start: datetime | None = msgspec.field(default=None, name="from")
    end: datetime | None = msgspec.field(default=None, name="to")
    bucket: str = "week"


class DoraRolledUp(Event, frozen=True, kw_only=True):
    """`metrics.dora.rolled_up`: a bucket changed; `version` grows with every change of it."""

    scope: str  # service | team | org
    scope_key: str
    environment: str
    bucket: str
    bucket_start: datetime
    bucket_end: datetime
    version: int
    values: dict[str, Any] = {}
