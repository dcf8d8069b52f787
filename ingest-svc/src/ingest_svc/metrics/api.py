"""HTTP: `GET /v1/metrics/dora`, `/v1/metrics/flow`, `/v1/metrics/quality` (bad parameters -> 400)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from em_shared.runtime.context import ServiceContext
from litestar import Controller, get
from litestar.params import Parameter

from ingest_svc.metrics.handlers.queries import Queries
from ingest_svc.metrics.schemas import DoraResponse

Q = Annotated[str | None, Parameter(required=False)]


def _queries(ctx: ServiceContext) -> Queries:
    return ctx.state["metrics"].queries  # type: ignore[no-any-return]


def _params(
    service: str | None,
    team: str | None,
    env: str | None,
    repository: str | None,
    start: str | None,
    end: str | None,
    bucket: str | None,
) -> dict[str, Any]:
    return {
        "service": service,
        "team": team,
        "env": env,
        "repository": repository,
        "start": start,
        "end": end,
        "bucket": bucket,
    }


class MetricsController(Controller):
    path = "/v1/metrics"
    tags = ["metrics"]

    @get("/dora")
    async def dora(
        self,
        ctx: ServiceContext,
        service: Q = None,
        team: Q = None,
        env: Q = None,
        repository: Q = None,
        start: Annotated[str | None, Parameter(query="from", required=False)] = None,
        end: Annotated[str | None, Parameter(query="to", required=False)] = None,
        bucket: Q = None,
    ) -> DoraResponse:
        """DORA figures per bucket and over the range, with levels (DORA 2024) and drill-down ids."""
        q = _queries(ctx)
        result = await q.dora(q.filters(_params(service, team, env, repository, start, end, bucket)))
        return msgspec.convert(result, DoraResponse)

    @get("/flow")
    async def flow(
        self,
        ctx: ServiceContext,
        service: Q = None,
        team: Q = None,
        env: Q = None,
        repository: Q = None,
        start: Annotated[str | None, Parameter(query="from", required=False)] = None,
        end: Annotated[str | None, Parameter(query="to", required=False)] = None,
        bucket: Q = None,
    ) -> dict[str, Any]:
        """Pull request cycle time (coding, pickup, review, deploy), size, first review; builds."""
        q = _queries(ctx)
        return await q.flow(q.filters(_params(service, team, env, repository, start, end, bucket)))

    @get("/quality")
    async def quality(
        self,
        ctx: ServiceContext,
        service: Q = None,
        team: Q = None,
        env: Q = None,
        repository: Q = None,
        start: Annotated[str | None, Parameter(query="from", required=False)] = None,
        end: Annotated[str | None, Parameter(query="to", required=False)] = None,
        bucket: Q = None,
    ) -> dict[str, Any]:
        """Coverage trend (Codecov), quality-gate status and issue counts (SonarQube) per project."""
        q = _queries(ctx)
        return await q.quality(q.filters(_params(service, team, env, repository, start, end, bucket)))
