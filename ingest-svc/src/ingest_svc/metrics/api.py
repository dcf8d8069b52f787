"""HTTP: `GET /v1/metrics/dora`, `/v1/metrics/flow`, `/v1/metrics/quality` (bad parameters -> 400)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from em_shared.runtime.context import ServiceContext
from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter

from ingest_svc.metrics.handlers.queries import Queries
from ingest_svc.metrics.schemas import DoraResponse

Q = Annotated[str | None, Parameter(required=False)]


def _queries(ctx: ServiceContext) -> Queries:
    return ctx.state["metrics"].queries  # type: ignore[no-any-return]


async def metric_params(
    service: Q = None,
    team: Q = None,
    env: Q = None,
    repository: Q = None,
    start: Annotated[str | None, Parameter(query="from", required=False)] = None,
    end: Annotated[str | None, Parameter(query="to", required=False)] = None,
    bucket: Q = None,
) -> dict[str, Any]:
    """The query parameters every metrics endpoint shares, validated later by `Queries.filters`."""
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
    dependencies = {"params": Provide(metric_params)}

    @get("/dora")
    async def dora(self, ctx: ServiceContext, params: dict[str, Any]) -> DoraResponse:
        """DORA figures per bucket and over the range, with levels (DORA 2024) and drill-down ids."""
        q = _queries(ctx)
        return msgspec.convert(await q.dora(q.filters(params)), DoraResponse)

    @get("/flow")
    async def flow(self, ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
        """Pull request cycle time (coding, pickup, review, deploy), size, first review; builds."""
        q = _queries(ctx)
        return await q.flow(q.filters(params))

    @get("/quality")
    async def quality(self, ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
        """Coverage trend (Codecov), quality-gate status and issue counts (SonarQube) per project."""
        q = _queries(ctx)
        return await q.quality(q.filters(params))
