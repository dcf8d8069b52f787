"""HTTP: the webhook endpoint, the service catalog, and stored-delivery lookups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from em_shared.messaging.errors import InvalidInput, NotFound
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.http import ErrorBody
from litestar import Controller, Request, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Body, Parameter

from ingest_svc import repository
from ingest_svc.domain.catalog import CatalogService
from ingest_svc.domain.sources import SOURCES
from ingest_svc.handlers import Accepted

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


_WEBHOOK = {"responses": _ERRORS, "operation_class": _WebhookOperation}


class WebhookController(Controller):
    """The OpenAPI description of the webhook routes, which `endpoint.webhooks` serves.

    Not routed: the service definition lists it under `documented_routes`, so Litestar generates
    the operations from these declarations while the requests go to the lean ASGI handler.
    """

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
    async def receive(self, request: Request[Any, Any, Any], source: Annotated[str, _SOURCE]) -> Accepted:
        raise NotImplementedError("served by ingest_svc.endpoint.webhooks")

    @post(
        "/{source:str}/{instance:str}",
        status_code=200,
        summary="Receive a webhook for a named instance",
        **_WEBHOOK,  # type: ignore[arg-type]
    )
    async def receive_instance(
        self, request: Request[Any, Any, Any], source: Annotated[str, _SOURCE], instance: str
    ) -> Accepted:
        raise NotImplementedError("served by ingest_svc.endpoint.webhooks")


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


ROUTES = [CatalogController, DeliveryController]
DOCUMENTED = [WebhookController]
