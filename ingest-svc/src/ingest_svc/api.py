"""HTTP: the webhook endpoint, the service catalog, and stored-delivery lookups."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from em_shared.messaging.errors import InvalidInput, NotFound, ServiceError
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.http import ErrorBody, context, error_response
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Body, Parameter

from ingest_svc import repository, telemetry
from ingest_svc.committer import Overloaded
from ingest_svc.domain.catalog import CatalogService
from ingest_svc.domain.sources import SOURCES
from ingest_svc.handlers import Accepted, WebhookIntake

RETRY_AFTER_S = "2"


async def _accept(request: Request[Any, Any, Any], source: str, instance: str) -> Response[Any]:
    started = time.perf_counter()
    label = source if source in SOURCES else "unknown"
    # The context straight from app state, not through dependency injection (a hot path).
    intake: WebhookIntake = context(request.app.state).state["intake"]
    body = await request.body()
    # ASGI header names are already lower-case bytes: decode them directly (no multi-dict on the way).
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.scope["headers"]}
    try:
        result = await intake.accept(source, instance, headers, body)
    except Overloaded as exc:
        telemetry.record(label, "503", time.perf_counter() - started)
        # Alertmanager and Datadog retry only on 5xx: 503 + Retry-After, never a 500 or a silent drop.
        return error_response(
            503,
            "unavailable",
            f"ingest is saturated ({exc}); retry later",
            headers={"Retry-After": RETRY_AFTER_S},
        )
    except ServiceError as exc:
        telemetry.record(label, str(exc.status), time.perf_counter() - started)
        raise
    telemetry.record(label, "duplicate" if result.duplicate else result.status, time.perf_counter() - started)
    return Response(result, status_code=200)


# The webhook routes keep their own instruments (telemetry.py) instead of the generic HTTP middleware.
_LEAN = {"skip_http_metrics": True}
_SOURCE = Parameter(
    description="The vendor (unknown names answer 404).", schema_extra={"enum": sorted(SOURCES)}
)
_ERRORS = {
    400: ResponseSpec(ErrorBody, description="Malformed JSON or form body", generate_examples=False),
    401: ResponseSpec(
        ErrorBody, description="Bad, missing or stale signature/token", generate_examples=False
    ),
    404: ResponseSpec(ErrorBody, description="Unknown source", generate_examples=False),
    413: ResponseSpec(ErrorBody, description="Body over the source's limit", generate_examples=False),
    415: ResponseSpec(
        ErrorBody, description="A content type the vendor never sends", generate_examples=False
    ),
    503: ResponseSpec(
        ErrorBody, description="Saturated or storage down: retry after Retry-After", generate_examples=False
    ),
}


@dataclass
class _WebhookOperation(Operation):
    """The body is read raw (signatures cover its exact bytes), so Litestar cannot infer it: describe it."""

    def __post_init__(self) -> None:
        anything = OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))
        self.request_body = RequestBody(
            required=True,
            description="The vendor's payload as it sent it: JSON, SNS's JSON as text/plain, or a "
            "`payload=` form (GitHub, GitLab).",
            content={
                "application/json": anything,
                "text/plain": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/x-www-form-urlencoded": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties={
                            "payload": Schema(type=OpenAPIType.STRING, description="The JSON payload")
                        },
                        required=["payload"],
                    )
                ),
            },
        )


_WEBHOOK = {"opt": _LEAN, "responses": _ERRORS, "operation_class": _WebhookOperation}


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post(
        "/{source:str}",
        status_code=200,
        summary="Receive a vendor webhook",
        description=f"Sources: {', '.join(sorted(SOURCES))}. Authenticated with the vendor's own scheme; "
        "answers only once the delivery is stored.",
        **_WEBHOOK,  # type: ignore[arg-type]
    )
    async def receive(
        self, request: Request[Any, Any, Any], source: Annotated[str, _SOURCE]
    ) -> Response[Accepted]:
        return await _accept(request, source, "default")

    @post(
        "/{source:str}/{instance:str}",
        status_code=200,
        summary="Receive a webhook for a named instance",
        **_WEBHOOK,  # type: ignore[arg-type]
    )
    async def receive_instance(
        self, request: Request[Any, Any, Any], source: Annotated[str, _SOURCE], instance: str
    ) -> Response[Accepted]:
        if not instance.replace("-", "").replace("_", "").isalnum() or len(instance) > 64:
            raise InvalidInput("instance names are letters, digits, - and _ (at most 64)")
        return await _accept(request, source, instance.lower())


class CatalogListing(msgspec.Struct, frozen=True):
    services: list[CatalogService]


class CatalogController(Controller):
    path = "/v1/catalog"
    tags = ["catalog"]

    @get("/", summary="The whole service catalog")
    async def listing(self, ctx: ServiceContext) -> CatalogListing:
        catalog = await ctx.state["catalog"].refresh()
        return CatalogListing(services=list(catalog.services.values()))

    @get("/services/{name:str}", summary="One catalog service")
    async def one(self, ctx: ServiceContext, name: str) -> CatalogService:
        catalog = await ctx.state["catalog"].refresh()
        if name not in catalog.services:
            raise NotFound(f"no service {name!r} in the catalog")
        return catalog.services[name]  # type: ignore[no-any-return]

    @put("/services/{name:str}", summary="Create or replace a catalog service")
    async def upsert(self, ctx: ServiceContext, name: str, data: CatalogService = Body()) -> CatalogService:
        if data.name != name:
            raise InvalidInput(f"body name {data.name!r} differs from the path's {name!r}")
        await repository.upsert_catalog(ctx.pool, [msgspec.to_builtins(data)])  # type: ignore[arg-type]
        await ctx.state["catalog"].refresh()
        return data

    @delete("/services/{name:str}", status_code=204, summary="Remove a catalog service")
    async def remove(self, ctx: ServiceContext, name: str) -> None:
        if not await repository.delete_catalog(ctx.pool, name):  # type: ignore[arg-type]
            raise NotFound(f"no service {name!r} in the catalog")
        await ctx.state["catalog"].refresh()


class DeliveryController(Controller):
    path = "/v1/deliveries"
    tags = ["webhooks"]

    @get("/{delivery_id:str}", summary="A stored delivery's metadata and processing status (no body)")
    async def one(self, ctx: ServiceContext, delivery_id: str) -> dict[str, Any]:
        try:
            row = await repository.delivery(ctx.pool, delivery_id)  # type: ignore[arg-type]
        except ValueError as exc:
            raise InvalidInput("delivery ids are UUIDs") from exc
        if row is None:
            raise NotFound(f"no delivery {delivery_id}")
        return row


ROUTES = [WebhookController, CatalogController, DeliveryController]
