"""Commands and queries on incidents, the one layer behind both the HTTP API and `rpc.incident.*`."""

from __future__ import annotations

import asyncpg
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.incidents import (
    IncidentAction,
    IncidentCreate,
    IncidentDetail,
    IncidentLinkDeployment,
    IncidentListQuery,
    IncidentMerge,
    IncidentNote,
    IncidentPage,
    IncidentRef,
    IncidentSnapshot,
    IncidentUpdate,
)
from em_shared.messaging.errors import Conflict, InvalidInput, NotFound, Unprocessable

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.cursor import BadCursor, decode_cursor, encode_cursor
from incident_svc.handlers import validation as v
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.merging import merge_into
from incident_svc.handlers.suspects import attach_suspect
from incident_svc.handlers.transitions import apply_action, change_severity
from incident_svc.repository import deployments, incidents, queries
from incident_svc.snapshots import alert_view, deployment_link, incident_snapshot, timeline_entry

Row = asyncpg.Record


class IncidentCommands:
    def __init__(self, pool: asyncpg.Pool, emitter: Emitter, base_url: str, suspect_window_s: float) -> None:
        self._pool = pool
        self._emitter = emitter
        self._base_url = base_url
        self._suspect_window = suspect_window_s

    # --- queries -------------------------------------------------------------------------------
    async def get(self, query: IncidentRef) -> IncidentDetail:
        async with self._pool.acquire() as conn:
            row = await self._find(conn, query.id)
            alert_rows = await queries.alerts_of(conn, row["id"])
            entries = await queries.timeline_of(conn, row["id"])
            links = await deployments.for_incident(conn, row["id"])
        return IncidentDetail(
            incident=incident_snapshot(row, [r["id"] for r in links], self._base_url),
            alerts=[alert_view(r) for r in alert_rows],
            timeline=[timeline_entry(r) for r in entries],
            deployments=[deployment_link(r) for r in links],
        )

    async def list(self, query: IncidentListQuery) -> IncidentPage:
        if query.state is not None:
            v.check_state(query.state)
        if query.severity is not None:
            v.check_severity(query.severity)
        v.check_limit(query.limit)
        if query.since and query.until and query.since > query.until:
            raise Unprocessable("since must not be after until", {"field": "since"})
        for name, value in (("since", query.since), ("until", query.until)):
            if value is not None and value.tzinfo is None:
                raise Unprocessable(f"{name} needs a time zone (e.g. 2024-05-01T10:00:00Z)", {"field": name})
        after = None
        if query.cursor:
            try:
                after = decode_cursor(query.cursor)
            except BadCursor as exc:
                raise InvalidInput(str(exc), {"field": "cursor"}) from None
        async with self._pool.acquire() as conn:
            rows = await queries.list_incidents(
                conn,
                state=query.state,
                severity=query.severity,
                service=query.service,
                team=query.team,
                since=query.since,
                until=query.until,
                after=after,
                limit=query.limit + 1,
            )
        page = rows[: query.limit]
        cursor = encode_cursor(page[-1]["opened_at"], page[-1]["number"]) if len(rows) > query.limit else None
        return IncidentPage(
            items=[incident_snapshot(r, (), self._base_url) for r in page], next_cursor=cursor
        )

    # --- commands ------------------------------------------------------------------------------
    async def create(self, cmd: IncidentCreate) -> IncidentSnapshot:
        v.check_severity(cmd.severity)
        v.check_via(cmd.via)
        v.check_text(cmd.title, "title")
        now = utcnow()
        pending = Pending()
        async with self._pool.acquire() as conn, conn.transaction():
            row = await incidents.insert(
                conn,
                {
                    "id": deterministic_id("incident", "manual", cmd.actor, now.isoformat(), cmd.title),
                    "title": cmd.title,
                    "state": lifecycle.TRIGGERED,
                    "severity": cmd.severity,
                    "service": cmd.service,
                    "team": cmd.team,
                    "environment": cmd.environment,
                    "summary": cmd.summary,
                    "assignee": cmd.assignee,
                    "opened_at": now,
                    "created_by": cmd.actor,
                },
            )
            await incidents.append_timeline(
                conn, row["id"], now, timeline.OPENED, cmd.actor, cmd.via, {"manual": True}
            )
            await attach_suspect(conn, row, self._suspect_window)
            event = await self._emitter.record(
                conn, pending, row["id"], "opened", actor=cmd.actor, via=cmd.via, details={"manual": True}
            )
            await incidents.note_update(conn, row["id"], emitted=True)
        await self._emitter.flush(pending)
        return event.incident

    async def act(self, action: str, cmd: IncidentAction) -> IncidentSnapshot:
        v.check_via(cmd.via)
        v.check_text(cmd.note, "note")

        async def change(conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
            await apply_action(
                conn,
                self._emitter,
                pending,
                row,
                action,
                actor=cmd.actor,
                via=cmd.via,
                at=utcnow(),
                note=cmd.note,
            )

        return await self._mutate(cmd.id, change)

    async def update(self, cmd: IncidentUpdate) -> IncidentSnapshot:
        v.check_via(cmd.via)
        if cmd.state is not None:
            v.check_state(cmd.state)
        if cmd.severity is not None:
            v.check_severity(cmd.severity)
        v.check_text(cmd.title, "title")
        v.check_text(cmd.note, "note")
        if all(x is None for x in (cmd.state, cmd.severity, cmd.assignee, cmd.title, cmd.note)):
            raise Unprocessable("nothing to change: give state, severity, assignee, title or note")

        async def change(conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
            now = utcnow()
            if row["merged_into"] is not None:
                raise Conflict(f"incident was merged into {row['merged_into']}; change that incident instead")
            if cmd.state is not None and cmd.state != row["state"]:
                action = lifecycle.target_action(row["state"], cmd.state)
                row = await apply_action(
                    conn, self._emitter, pending, row, action, actor=cmd.actor, via=cmd.via, at=now
                )
            elif cmd.state is not None:
                raise Conflict(f"incident is already {row['state']}")
            if cmd.severity is not None and cmd.severity != row["severity"]:
                row = await change_severity(
                    conn, self._emitter, pending, row, cmd.severity, actor=cmd.actor, via=cmd.via, at=now
                )
            fields = {
                k: val
                for k, val in (("assignee", cmd.assignee), ("title", cmd.title))
                if val is not None and val != row[k]
            }
            if fields:
                changes = {k: {"from": row[k], "to": val} for k, val in fields.items()}
                row = await incidents.update_fields(conn, row["id"], fields)
                await incidents.append_timeline(
                    conn, row["id"], now, timeline.UPDATED, cmd.actor, cmd.via, changes
                )
                await self._emitter.record(
                    conn, pending, row["id"], "updated", actor=cmd.actor, via=cmd.via, details=changes
                )
            if cmd.note is not None:
                await incidents.append_timeline(
                    conn, row["id"], now, timeline.NOTE_ADDED, cmd.actor, cmd.via, {"text": cmd.note}
                )

        return await self._mutate(cmd.id, change)

    async def add_note(self, cmd: IncidentNote) -> IncidentSnapshot:
        v.check_via(cmd.via)
        v.check_text(cmd.text, "text")

        async def change(conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
            await incidents.append_timeline(
                conn, row["id"], utcnow(), timeline.NOTE_ADDED, cmd.actor, cmd.via, {"text": cmd.text}
            )

        return await self._mutate(cmd.id, change)

    async def merge(self, cmd: IncidentMerge) -> IncidentSnapshot:
        v.check_via(cmd.via)
        v.check_text(cmd.note, "note")
        refs = [v.parse_ref(s) for s in cmd.source_ids]
        target_ref = v.parse_ref(cmd.id)
        pending = Pending()
        async with self._pool.acquire() as conn, conn.transaction():
            target = await self._find(conn, cmd.id)
            sources = [await self._find(conn, str(r)) for r in refs]
            if any(s["id"] == target["id"] for s in sources) or target_ref in refs:
                raise Unprocessable("an incident cannot be merged into itself", {"field": "source_ids"})
            if len({s["id"] for s in sources}) != len(sources):
                raise Unprocessable("source_ids names one incident twice", {"field": "source_ids"})
            await merge_into(
                conn, self._emitter, pending, target, sources, actor=cmd.actor, via=cmd.via, note=cmd.note
            )
            row = await incidents.get(conn, target["id"])
            assert row is not None
            snapshot = incident_snapshot(
                row, await incidents.linked_deployment_ids(conn, row["id"]), self._base_url
            )
        await self._emitter.flush(pending)
        return snapshot

    async def link_deployment(self, cmd: IncidentLinkDeployment) -> IncidentSnapshot:
        v.check_via(cmd.via)
        v.check_text(cmd.note, "note")

        async def change(conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
            found = await deployments.get(conn, cmd.deployment_id)
            if found is None:
                raise NotFound(
                    f"no deployment {cmd.deployment_id!r} has been seen (ids are provider:deployment_key)",
                    {"field": "deployment_id"},
                )
            if not await deployments.link(conn, row["id"], found["id"], "linked", cmd.actor):
                raise Conflict(f"deployment {found['id']} is already linked to this incident")
            data = {"deployment_id": found["id"], "service": found["service"], "version": found["version"]}
            if cmd.note:
                data["note"] = cmd.note
            await incidents.append_timeline(
                conn, row["id"], utcnow(), timeline.DEPLOYMENT_LINKED, cmd.actor, cmd.via, data
            )
            await self._emitter.record(
                conn,
                pending,
                row["id"],
                "updated",
                actor=cmd.actor,
                via=cmd.via,
                details={"linked_deployment_id": found["id"]},
            )

        return await self._mutate(cmd.id, change)

    # --- plumbing ------------------------------------------------------------------------------
    async def _find(self, conn: asyncpg.Connection, ref: str, *, lock: bool = False) -> Row:
        key = v.parse_ref(ref)
        if isinstance(key, int):
            row = await incidents.get_by_number(conn, key, lock=lock)
        else:
            row = await incidents.get(conn, key, lock=lock)
        if row is None:
            raise NotFound(f"no incident {ref!r}", {"field": "id"})
        return row

    async def _mutate(self, ref: str, change: object) -> IncidentSnapshot:
        """Lock the incident, apply `change`, commit, publish; illegal transitions become 409."""
        pending = Pending()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                row = await self._find(conn, ref, lock=True)
                await change(conn, pending, row)  # type: ignore[operator]
                row = await incidents.get(conn, row["id"])
                assert row is not None
                snapshot = incident_snapshot(
                    row, await incidents.linked_deployment_ids(conn, row["id"]), self._base_url
                )
        except lifecycle.IllegalTransition as exc:
            raise Conflict(str(exc), {"field": "state"}) from None
        except asyncpg.UniqueViolationError:
            raise Conflict(
                "another open incident already covers this alert group; merge into it instead",
                {"field": "state"},
            ) from None
        await self._emitter.flush(pending)
        return snapshot
