"""DORA rollup events and `rpc.metrics.*` queries (served by ingest-svc's metrics module).

The reply of `rpc.metrics.dora` is the JSON of `GET /v1/metrics/dora` (see docs/metrics.md):
`{"filters", "buckets": [...], "summary": {...}}`, each figure with its sample size, level, the
ids behind it, and a `reason` wherever its value is null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from em_shared.contracts.base import Event, RpcRequest


class DoraQuery(RpcRequest, frozen=True, kw_only=True):
    """`rpc.metrics.dora` / `.flow` / `.quality`: the same parameters as `GET /v1/metrics/dora`.

    `from`/`to` are ISO datetimes (`to` exclusive; both snapped to whole local days; HTTP also takes
    plain dates);
    `bucket` is day | week | month; every filter is optional (none: the whole organisation).
    """

    service: str | None = None
    team: str | None = None
    env: str | None = None
    repository: str | None = None
    start: datetime | None = msgspec.field(default=None, name="from")
    end: datetime | None = msgspec.field(default=None, name="to")
    bucket: str = "week"


class DoraRolledUp(Event, frozen=True, kw_only=True):
    """`metrics.dora.rolled_up`: a bucket changed; `version` grows with every change of it.

    The id is deterministic in (scope, scope_key, environment, bucket, bucket_start, version), so a
    re-published version is dropped by JetStream and consumers keep the highest version they saw.
    """

    scope: str  # service | team | repository | org
    scope_key: str
    environment: str
    bucket: str  # day | week | month
    bucket_start: datetime
    bucket_end: datetime
    version: int
    team: str | None = None
    values: dict[str, Any] = {}
