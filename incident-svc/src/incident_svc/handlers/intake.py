"""Alert intake: one AlertSignal -> one deduplicated alert -> attached to, or opening, one incident.

Everything for one signal happens in one transaction. The guarantees come from PostgreSQL, not from
this process: the signal's event id is recorded first (a redelivery stops there), the alert row is
unique per (vendor, external_id), and at most one incident per grouping key is open (partial unique
index + INSERT ... ON CONFLICT), so parallel consumers never open two incidents for one problem.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import structlog
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.severity import rank
from incident_svc.domain.signals import FIRING, RESOLVED, AlertFacts, IntakeRules, read_signal
from incident_svc.handlers.emitter import Emitter, Pending
from incident_svc.handlers.suspects import attach_suspect
from incident_svc.handlers.transitions import apply_action, change_severity
from incident_svc.repository import alerts, incidents
from incident_svc.settings import IncidentSettings

log = structlog.get_logger("incident.intake")
Row = asyncpg.Record
AUTO = "auto"


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
        facts = read_signal(signal, self._rules)
        # faststream runs a pulled batch concurrently; a FIFO lock per alert, taken before any await,
        # keeps one alert's signals in stream order within this process (the stale check covers the rest).
        key = (facts.vendor, facts.external_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                pending = Pending()
                async with self._pool.acquire() as conn, conn.transaction():
                    await self._process(conn, pending, signal, facts)
                await self._emitter.flush(pending)
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key], self._locks[key]

    async def _process(
        self, conn: asyncpg.Connection, pending: Pending, signal: AlertSignal, facts: AlertFacts
    ) -> None:
        at = signal.occurred_at
        alert_id = deterministic_id("alert", facts.vendor, facts.external_id)
        if not await alerts.record_signal(conn, signal.id, alert_id, facts.status, at):
            return  # this exact event was processed before
        new = await alerts.insert_new(conn, self._alert_values(alert_id, signal, facts))
        if new is not None:
            previous_status, incident_row = None, None
            alert = new
        else:
            alert = await alerts.lock(conn, facts.vendor, facts.external_id)
            if at < alert["last_event_at"]:
                await alerts.count_signal(conn, alert["id"])  # out of order: history only
                return
            previous_status = alert["status"]
            incident_row = await self._current_incident(conn, alert["incident_id"])
            alert = await alerts.update(conn, alert["id"], self._alert_changes(signal, facts), count=True)
        if facts.status == FIRING:
            await self._on_firing(conn, pending, signal, facts, alert, previous_status, incident_row)
        else:
            await self._on_resolved(conn, pending, signal, facts, alert, previous_status, incident_row)

    async def _current_incident(self, conn: asyncpg.Connection, incident_id: object) -> Row | None:
        """The incident the alert belongs to, following merges to the survivor."""
        row = None
        for _ in range(10):
            if incident_id is None:
                return row
            row = await incidents.get(conn, str(incident_id), lock=True)
            if row is None or row["merged_into"] is None:
                return row
            incident_id = row["merged_into"]
        return row

    async def _on_firing(
        self,
        conn: asyncpg.Connection,
        pending: Pending,
        signal: AlertSignal,
        facts: AlertFacts,
        alert: Row,
        previous_status: str | None,
        row: Row | None,
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
            row, how = await self._incident_for_group(conn, pending, signal, facts)
            if how == "opened":
                await self._attach(conn, pending, row, alert, facts, at, kind=None)
                return
        if alert["incident_id"] != row["id"] or previous_status is None:
            await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_ATTACHED)
        elif previous_status == RESOLVED:
            await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_REFIRED)
        # (attaching changed counts only: state and severity in `row` are current)
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
    ) -> None:
        at = signal.occurred_at
        if row is None:
            # Recovered before we ever saw it fire: keep it, and show it on the group's open incident if any.
            row = await incidents.lock_open_for_group(conn, facts.group_key)
            if row is not None:
                await self._attach(conn, pending, row, alert, facts, at, kind=timeline.ALERT_ATTACHED)
            return
        if previous_status != FIRING or not lifecycle.is_open(row["state"]):
            if alert["incident_id"] != row["id"]:
                await alerts.update(conn, alert["id"], {"incident_id": row["id"]})
            await incidents.refresh_counts(conn, row["id"])
            return
        await incidents.append_timeline(
            conn,
            row["id"],
            at,
            timeline.ALERT_RECOVERED,
            facts.vendor,
            AUTO,
            {"alert_id": str(alert["id"]), "external_id": facts.external_id, "title": signal.title},
        )
        row = await incidents.refresh_counts(conn, row["id"])
        target = self._settings.auto_resolve_to
        if row["firing_count"] == 0 and target in ("resolved", "mitigated") and row["state"] != target:
            action = "resolve" if target == "resolved" else "mitigate"
            await apply_action(
                conn,
                self._emitter,
                pending,
                row,
                action,
                actor=facts.vendor,
                via=AUTO,
                at=at,
                details={"reason": "every attached alert recovered"},
            )
        else:
            await self._owe_update(conn, pending, row)

    async def _incident_for_group(
        self, conn: asyncpg.Connection, pending: Pending, signal: AlertSignal, facts: AlertFacts
    ) -> tuple[Row, str]:
        """The open incident for the grouping key: attach, reopen a recent one, or open a new one."""
        at = signal.occurred_at
        since = at - timedelta(seconds=self._settings.reopen_window_s)
        for _ in range(8):
            row = await incidents.lock_open_for_group(conn, facts.group_key)
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
            created = await incidents.insert_for_group(conn, self._incident_values(signal, facts))
            if created is not None:
                await incidents.append_timeline(
                    conn,
                    created["id"],
                    at,
                    timeline.OPENED,
                    facts.vendor,
                    AUTO,
                    {"group_key": facts.group_key, "alert": facts.external_id},
                )
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
        at: object,
        kind: str | None,
    ) -> None:
        if alert["incident_id"] != row["id"]:
            await alerts.update(conn, alert["id"], {"incident_id": row["id"]})
        refreshed = await incidents.refresh_counts(conn, row["id"], alert["url"])
        if kind is None:  # the alert that opened the incident
            await self._emitter.record(
                conn,
                pending,
                row["id"],
                "opened",
                actor=facts.vendor,
                via=AUTO,
                details={"alert_id": str(alert["id"]), "vendor": facts.vendor},
            )
            await incidents.note_update(conn, row["id"], emitted=True)
            return
        await incidents.append_timeline(
            conn,
            row["id"],
            at,
            kind,
            facts.vendor,
            AUTO,  # type: ignore[arg-type]
            {
                "alert_id": str(alert["id"]),
                "external_id": facts.external_id,
                "title": alert["title"],
                "status": alert["status"],
            },
        )
        await self._owe_update(conn, pending, refreshed)

    async def _owe_update(self, conn: asyncpg.Connection, pending: Pending, row: Row) -> None:
        """Alertmanager's group_interval: at most one `updated` per interval; the relay sends what is owed."""
        if await incidents.claim_update_slot(conn, row["id"], self._settings.group_interval_s):
            await self._emitter.record(
                conn, pending, row["id"], "updated", via=AUTO, details={"reason": "alerts changed"}
            )

    def _incident_values(self, signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
        opened_at = signal.occurred_at
        return {
            "id": deterministic_id("incident", facts.group_key, signal.id),
            "title": signal.title[:300] or facts.alert_name or facts.external_id,
            "state": lifecycle.TRIGGERED,
            "severity": facts.severity,
            "service": facts.service,
            "team": facts.team,
            "environment": facts.environment,
            "group_key": facts.group_key,
            "summary": signal.description,
            "opened_at": opened_at,
            "created_by": facts.vendor,
        }

    def _alert_values(self, alert_id: str, signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
        return {
            "id": alert_id,
            "vendor": facts.vendor,
            "external_id": facts.external_id,
            "fingerprint": facts.fingerprint,
            "first_seen_at": signal.occurred_at,
            **self._alert_changes(signal, facts),
        }

    def _alert_changes(self, signal: AlertSignal, facts: AlertFacts) -> dict[str, object]:
        return {
            "status": facts.status,
            "title": signal.title or facts.alert_name or facts.external_id,
            "alert_name": facts.alert_name,
            "service": facts.service,
            "environment": facts.environment,
            "severity": facts.severity,
            "reported_severity": signal.reported_severity,
            "group_key": facts.group_key,
            "labels": dict(signal.labels),
            "url": signal.url,
            "vendor_state": signal.vendor_state,
            "started_at": signal.started_at,
            "ended_at": signal.ended_at,
            "last_event_at": signal.occurred_at,
        }
