"""HTTP API under /v1/incidents (Litestar): decode, call the same handlers as `rpc.incident.*`, answer.

Decoding errors (types, unknown fields, malformed JSON) are 400; semantic errors 422; unknown ids
404; illegal transitions and double links 409; each with a reason in the ErrorBody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from em_shared.contracts import incidents as c
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.http import ErrorBody
from litestar import Controller, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Parameter

from incident_svc.handlers.commands import IncidentCommands

_ERRORS = {
    400: ResponseSpec(ErrorBody, description="Malformed request (types, unknown fields, bad cursor or id)."),
    404: ResponseSpec(ErrorBody, description="No such incident (or deployment)."),
    409: ResponseSpec(ErrorBody, description="Illegal transition or conflicting change, with the reason."),
    422: ResponseSpec(ErrorBody, description="A field has a value outside what is allowed."),
}
_LIST_ERRORS = {k: v for k, v in _ERRORS.items() if k in (400, 422)}
Body = msgspec.Struct


class IncidentPatch(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Any of state, severity, assignee, title; `note` adds a timeline note with the change."""

    actor: c.Actor
    state: str | None = None
    severity: str | None = None
    assignee: c.Actor | None = None
    title: c.Title | None = None
    note: c.Text | None = None


class NoteBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    actor: c.Actor
    text: c.Text


class MergeBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fold `source_ids` (ids or numbers) into the incident in the path."""

    source_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=50)]
    actor: c.Actor
    note: c.Text | None = None


class LinkDeploymentBody(Body, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`deployment_id` is `provider:deployment_key` of a deployment incident-svc has seen."""

    deployment_id: c.Ident
    actor: c.Actor
    note: c.Text | None = None


def _commands(ctx: ServiceContext) -> IncidentCommands:
    return ctx.state["commands"]  # type: ignore[no-any-return]


class IncidentController(Controller):
    path = "/v1/incidents"
    tags = ["incidents"]

    @post("/", status_code=201, responses=_ERRORS, summary="Open a manual incident")
    async def create(self, ctx: ServiceContext, data: c.IncidentCreate) -> c.IncidentSnapshot:
        return await _commands(ctx).create(msgspec.structs.replace(data, via="api"))

    @get("/", responses=_LIST_ERRORS, summary="List incidents, newest first, with cursor pagination")
    async def list_incidents(
        self,
        ctx: ServiceContext,
        state_filter: Annotated[str | None, Parameter(query="state", description="triggered..closed")] = None,
        severity: str | None = None,
        service: str | None = None,
        team: str | None = None,
        since: Annotated[
            datetime | None, Parameter(description="opened at or after (ISO 8601 with zone)")
        ] = None,
        until: Annotated[datetime | None, Parameter(description="opened before (ISO 8601 with zone)")] = None,
        limit: Annotated[int, Parameter(description="1..200", examples=[Example(value=50)])] = 50,
        cursor: Annotated[str | None, Parameter(description="next_cursor of the previous page")] = None,
    ) -> c.IncidentPage:
        return await _commands(ctx).list(
            c.IncidentListQuery(
                state=state_filter,
                severity=severity,
                service=service,
                team=team,
                since=since,
                until=until,
                limit=limit,
                cursor=cursor,
            )
        )

    @get(
        "/{incident_id:str}", responses=_ERRORS, summary="One incident with alerts, timeline and deployments"
    )
    async def get_incident(self, ctx: ServiceContext, incident_id: str) -> c.IncidentDetail:
        return await _commands(ctx).get(c.IncidentRef(id=incident_id))

    @patch("/{incident_id:str}", responses=_ERRORS, summary="Change state, severity, assignee or title")
    async def update(self, ctx: ServiceContext, incident_id: str, data: IncidentPatch) -> c.IncidentSnapshot:
        return await _commands(ctx).update(
            c.IncidentUpdate(id=incident_id, via="api", **msgspec.structs.asdict(data))
        )

    @post("/{incident_id:str}/notes", status_code=201, responses=_ERRORS, summary="Add a timeline note")
    async def add_note(self, ctx: ServiceContext, incident_id: str, data: NoteBody) -> c.IncidentSnapshot:
        return await _commands(ctx).add_note(
            c.IncidentNote(id=incident_id, actor=data.actor, text=data.text, via="api")
        )

    @post(
        "/{incident_id:str}/merge",
        status_code=200,
        responses=_ERRORS,
        summary="Merge incidents into this one",
    )
    async def merge(self, ctx: ServiceContext, incident_id: str, data: MergeBody) -> c.IncidentSnapshot:
        return await _commands(ctx).merge(
            c.IncidentMerge(id=incident_id, via="api", **msgspec.structs.asdict(data))
        )

    @post(
        "/{incident_id:str}/link-deployment",
        status_code=200,
        responses=_ERRORS,
        summary="Link a deployment to this incident",
    )
    async def link_deployment(
        self, ctx: ServiceContext, incident_id: str, data: LinkDeploymentBody
    ) -> c.IncidentSnapshot:
        return await _commands(ctx).link_deployment(
            c.IncidentLinkDeployment(id=incident_id, via="api", **msgspec.structs.asdict(data))
        )
