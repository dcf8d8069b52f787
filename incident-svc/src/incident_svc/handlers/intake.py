"""Alert intake: one AlertSignal -> one deduplicated alert -> attached to, or opening, one incident.

Everything for one signal happens inside one transaction (its own, or its lane's chunk: see
batches.py), in two to three statements on the common paths. The guarantees come from PostgreSQL, not
from this process: the signal's event id is recorded first (a redelivery stops there), the alert row is
unique per (vendor, external_id), and at most one incident per grouping key is open (partial unique
index + INSERT ... ON CONFLICT), so parallel consumers never open two incidents for one problem.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg
import structlog
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.rows import alert_row, incident_row
from incident_svc.domain.severity import rank
from incident_svc.domain.signals import FIRING, RESOLVED, AlertFacts, IntakeRules, read_signal
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.suspects import attach_suspect
from incident_svc.handlers.transitions import apply_action, change_severity
from incident_svc.repository import incidents
from incident_svc.repository import intake as intake_sql
from incident_svc.settings import IncidentSettings

log = structlog.get_logger("incident.intake")
Row = asyncpg.Record
AUTO = "auto"
_UNKNOWN = object()  # take_signal did not look up the group's open incident


class AlertRace(RuntimeError):
    """Retryable: the signal's transaction must roll back and run again."""


class AlertIntake:
    def __init__(
        self, pool: asyncpg.Pool, emitter: Emitter, rules: IntakeRules, settings: IncidentSettings
    ) -> None:
        self._pool = pool
        self._emitter = emitter
        self._rules = rules
        self._settings = settings
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._waiters: dict[tuple[str, str], int] = {}

    async def handle(self, signal: AlertSignal) -> None:
        """One signal in its own transaction (direct callers, and the retry of a failed batch lane)."""
        facts = read_signal(signal, self._rules)
        # Concurrent callers: a FIFO lock per alert, taken before any await, keeps one alert's
        # signals in call order within this process (the stale check covers the rest).
        key = (facts.vendor, facts.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                pending = Pending()
                async with self._pool.acquire() as conn, conn.transaction():
                    await self.process(conn, pending, signal, facts)
                await self._emitter.flush(pending)
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key], self._locks[key]

    def facts(self, signal: AlertSignal) -> AlertFacts:
        return read_signal(signal, self._rules)

    async def process(
        self, conn: asyncpg.Connection, pending: Pending, signal: AlertSignal, facts: AlertFacts
    ) -> None:
        """Apply one signal inside the caller's transaction; events go to `pending` (and the outbox)."""
        at = signal.occurred_at
        alert_id = deterministic_id("alert", facts.vendor, facts.external_id)
        alert = await intake_sql.take_signal(
            conn, signal.id, at, alert_row(alert_id, signal, facts), facts.group_key
        )
        if alert is None:
            return  # this exact event was processed before
        if not alert["existed"] and alert["signal_count"] > 1:
            # A concurrent transaction inserted this alert after our snapshot: what it was before our
            # update is unknown, so undo everything and try again (it is committed by then).
            raise AlertRace(f"alert {facts.vendor}:{facts.external_id} was inserted concurrently")
        previous_status, row = None, None
        if alert["existed"]:
            if at < alert["prev_last_event_at"]:
                return  # out of order: counted in history only
            previous_status, row = alert["prev_status"], alert["current_incident"]
            if row is not None and row["merged_into"] is not None:
                row = await self._survivor(conn, row["merged_into"])
        # The group's open incident, when the statement had to look it up (a hint: see _group_incident).
        hint = alert["group_incident"] if alert["group_looked_up"] else _UNKNOWN
        if facts.status == FIRING:
            await self._on_firing(conn, pending, signal, facts, alert, previous_status, row, hint)
        else:
            await self._on_resolved(conn, pending, signal, facts, alert, previous_status, row, hint)

    async def _survivor(self, conn: asyncpg.Connection, incident_id: object) -> Row | None:
        """Follow merges to the surviving incident (locked)."""
        row = None
        for _ in range(10):
            if incident_id is None:
                return row
            row = await incidents.get(conn, str(incident_id), lock=True)
            if row is None or row["merged_into"] is None:
                return row
            incident_id = row["merged_into"]
        return row

    async def _group_incident(self, conn: asyncpg.Connection, group_key: str, hint: object) -> Row | None:
        """The group's open incident, locked. The hint from take_signal is exact for this transaction:
        the row it found is locked, and a racer opening one later is caught by the insert's conflict."""
        if hint is not _UNKNOWN:
            return hint  # type: ignore[return-value]
        return await incidents.lock_open_for_group(conn, group_key)

    async def _on_firing(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        signal: AlertSignal,
        facts: AlertFacts,
        alert: Row,
        previous_status: str | None,
        row: Row | None,
        hint: object,
    ) -> None:
        at = signal.occurred_at
        window = timedelta(seconds=self._settings.reopen_window_s)
        if row is not None and previous_status == FIRING and not lifecycle.is_open(row["state"]):
            # A repeat of an alert still firing whose incident someone resolved or closed by hand
            # (Alertmanager re-sends every repeat_interval): recorded, but only a re-fire reopens.
            await incidents.refresh_counts(conn, row["id"])
            return
        if (
            row is not None
            and row["state"] == lifecycle.RESOLVED
            and row["resolved_at"]
            and row["resolved_at"] >= at - window
        ):
            mark = len(pending.events)
            try:
                async with conn.transaction():  # savepoint: a racer may have opened one for the group
                    row = await self._reopen(conn, pending, row, facts, at)
            except asyncpg.UniqueViolationError:
                del pending.events[mark:]  # rolled back with the savepoint
                row = None  # attach to the racer's open incident below
        if row is None or not lifecycle.is_open(row["state"]):
            row, how = await self._incident_for_group(conn, pending, signal, facts, hint)
            if how == "opened":
                await self._attach(conn, pending, row, alert, facts, at, kind=None)
                return
        if alert["incident_id"] != row["id"] or previous_status is None:
            row = await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_ATTACHED)
        elif previous_status == RESOLVED:
            row = await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_REFIRED)
        if rank(facts.severity) < rank(row["severity"]):
            row = await change_severity(
                conn,
                self._emitter,
                pending,
                row,
                facts.severity,
                actor=facts.vendor,
                via=AUTO,
                at=at,
                reason=f"alert {facts.external_id} is {facts.severity}",
            )
        if (signal.vendor_state or "").lower() == "acknowledged" and row["state"] == lifecycle.TRIGGERED:
            await apply_action(
                conn,
                self._emitter,
                pending,
                row,
                "acknowledge",
                actor=facts.vendor,
                via=AUTO,
                at=at,
                details={"reason": f"acknowledged in {facts.vendor}"},
            )

    async def _on_resolved(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        signal: AlertSignal,
        facts: AlertFacts,
        alert: Row,
        previous_status: str | None,
        row: Row | None,
        hint: object,
    ) -> None:
        at = signal.occurred_at
        if row is None:
            # Recovered before we ever saw it fire: keep it, and show it on the group's open incident if any.
            row = await self._group_incident(conn, facts.group_key, hint)
            if row is not None:
                await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_ATTACHED)
            return
        if previous_status != FIRING or not lifecycle.is_open(row["state"]):
            await intake_sql.attach(conn, alert, row["id"], link=False)
            return
        target = self._settings.auto_resolve_to
        resolving_to = target if target in ("resolved", "mitigated") else None
        row = await intake_sql.attach(
            conn,
            alert,
            row["id"],
            at=at,
            kind=timeline.ALERT_RECOVERED,
            actor=facts.vendor,
            data={"alert_id": str(alert["id"]), "external_id": facts.external_id, "title": signal.title},
            slot="claim",
            unless_resolving_to=resolving_to,
            interval_s=self._settings.group_interval_s,
            link=False,
        )
        if row["firing_count"] == 0 and resolving_to is not None and row["state"] != resolving_to:
            await apply_action(
                conn,
                self._emitter,
                pending,
                row,
                "resolve" if resolving_to == "resolved" else "mitigate",
                actor=facts.vendor,
                via=AUTO,
                at=at,
                details={"reason": "every attached alert recovered"},
            )
        elif row["update_due"]:
            await self._record_update(conn, pending, row)

    async def _incident_for_group(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        signal: AlertSignal,
        facts: AlertFacts,
        hint: object,
    ) -> tuple[Row, str]:
        """The open incident for the grouping key: attach, reopen a recent one, or open a new one."""
        at = signal.occurred_at
        since = at - timedelta(seconds=self._settings.reopen_window_s)
        for _ in range(8):
            row = await self._group_incident(conn, facts.group_key, hint)
            hint = _UNKNOWN  # after a lost race, look again
            if row is not None:
                return row, "attached"
            recent = await incidents.lock_recent_resolved(conn, facts.group_key, since)
            if recent is not None:
                mark = len(pending.events)
                try:
                    async with conn.transaction():  # savepoint: a racer may have opened one meanwhile
                        return await self._reopen(conn, pending, recent, facts, at), "reopened"
                except asyncpg.UniqueViolationError:
                    del pending.events[mark:]  # rolled back with the savepoint
                    continue
            created = await intake_sql.open_for_group(
                conn,
                incident_row(signal, facts),
                at,
                facts.vendor,
                {"group_key": facts.group_key, "alert": facts.external_id},
            )
            if created is not None:
                await attach_suspect(conn, created, self._settings.suspect_window_s)
                return created, "opened"
        raise RuntimeError(f"could not settle an incident for group {facts.group_key!r}")

    async def _reopen(
        self, conn: asyncpg.Connection, pending: Pending, row: Row, facts: AlertFacts, at: object
    ) -> Row:
        return await apply_action(
            conn,
            self._emitter,
            pending,
            row,
            "reopen",
            actor=facts.vendor,
            via=AUTO,
            at=at,  # type: ignore[arg-type]
            details={"reason": f"alert {facts.external_id} fired again"},
        )

    async def _attach(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        row: Row,
        alert: Row,
        facts: AlertFacts,
        at: datetime,
        kind: str | None,
    ) -> Row:
        """Attach the alert and recount in one statement; returns the incident as it is now."""
        if kind is None:  # the alert that opened the incident: its `opened` event is the update
            refreshed = await intake_sql.attach(conn, alert, row["id"], slot="emitted")
            await self._emitter.record(
                conn,
                pending,
                row["id"],
                "opened",
                actor=facts.vendor,
                via=AUTO,
                details={"alert_id": str(alert["id"]), "vendor": facts.vendor},
            )
            return refreshed
        refreshed = await intake_sql.attach(
            conn,
            alert,
            row["id"],
            at=at,
            kind=kind,
            actor=facts.vendor,
            data={
                "alert_id": str(alert["id"]),
                "external_id": facts.external_id,
                "title": alert["title"],
                "status": alert["status"],
            },
            slot="claim",
            interval_s=self._settings.group_interval_s,
        )
        if refreshed["update_due"]:
            await self._record_update(conn, pending, refreshed)
        return refreshed

    async def _record_update(self, conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
        """Alertmanager's group_interval: the slot was free, so an `updated` goes out now (otherwise
        the statement marked one as owed and the relay sends it at the interval's end)."""
        await self._emitter.record(
            conn, pending, row["id"], "updated", via=AUTO, details={"reason": "alerts changed"}
        )
