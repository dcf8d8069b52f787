"""Shared fixtures of incident-svc tests: a live service per test, AlertSignals built from the vendor
fixtures the way ingest-svc's normalizers build them, a lifecycle-event recorder, and a poller."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.incidents import IncidentChanged
from em_shared.contracts.ownership import Ownership
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import LiveService, live_service
from incident_svc.app import create_service
from incident_svc.domain.fingerprint import alertmanager_fingerprint
from incident_svc.settings import IncidentSettings

# The workplace's shared/ lies beside the checkout (and beside CI's clone).
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "webhooks"


def fixture_body(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())["body"]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Signals:
    """AlertSignal builders per vendor, mirroring what ingest-svc's normalizers emit."""

    @staticmethod
    def body(name: str) -> dict[str, Any]:
        return fixture_body(name)

    def pagerduty(self, body: dict[str, Any], *, service: str | None = None) -> AlertSignal:
        event = body["event"]
        data = event["data"]
        status = "resolved" if data["status"] == "resolved" else "firing"
        return AlertSignal(
            id=deterministic_id("pagerduty", event["id"]),
            occurred_at=_ts(event["occurred_at"]),
            source="pagerduty",
            vendor="pagerduty",
            external_id=data["id"],
            fingerprint=hashlib.sha256(data["id"].encode()).hexdigest()[:32],
            status=status,
            title=data["title"],
            alert_name=data["title"],
            reported_severity=(data.get("priority") or {}).get("summary") or data.get("urgency"),
            url=data["html_url"],
            vendor_state=data["status"],
            owner=Ownership(service=service or data["service"]["summary"]),
        )

    def pagerduty_variant(
        self, base: dict[str, Any], status: str, event_id: str, at: datetime
    ) -> AlertSignal:
        body = copy.deepcopy(base)
        body["event"]["id"] = event_id
        body["event"]["event_type"] = f"incident.{status}"
        body["event"]["occurred_at"] = at.isoformat().replace("+00:00", "Z")
        body["event"]["data"]["status"] = status
        return self.pagerduty(body)

    def alertmanager(
        self,
        body: dict[str, Any],
        *,
        at: datetime | None = None,
        service: str | None = None,
        delivery: str = "d1",
    ) -> list[AlertSignal]:
        out = []
        for alert in body["alerts"]:
            labels = dict(alert["labels"])
            fp = alert.get("fingerprint") or alertmanager_fingerprint(labels)
            occurred = at or _ts(alert["endsAt"] if alert["status"] == "resolved" else alert["startsAt"])
            out.append(
                AlertSignal(
                    id=deterministic_id("alertmanager", fp, alert["status"], alert["startsAt"], delivery),
                    occurred_at=occurred,
                    source="alertmanager",
                    vendor="alertmanager",
                    external_id=fp,
                    fingerprint=fp,
                    status=alert["status"],
                    title=alert["annotations"].get("summary") or labels["alertname"],
                    alert_name=labels.get("alertname"),
                    reported_severity=labels.get("severity"),
                    labels=labels,
                    annotations=alert["annotations"],
                    started_at=_ts(alert["startsAt"]),
                    url=alert.get("generatorURL"),
                    owner=Ownership(service=service or labels.get("service")),
                )
            )
        return out

    def sentry(self, body: dict[str, Any], *, service: str = "zulip-integration-testing") -> AlertSignal:
        issue = body["data"]["issue"]
        status = "resolved" if body["action"] == "resolved" else "firing"
        at = _ts(issue["lastSeen"]) if status == "firing" else _ts(issue["lastSeen"]) + timedelta(minutes=5)
        return AlertSignal(
            id=deterministic_id("sentry", issue["id"], body["action"]),
            occurred_at=at,
            source="sentry",
            vendor="sentry",
            external_id=issue["id"],
            fingerprint=issue["id"],
            status=status,
            title=issue["title"],
            alert_name=issue["title"],
            reported_severity=issue["level"],
            url=issue.get("permalink"),
            owner=Ownership(service=service),
        )

    def datadog(
        self,
        monitor_id: int,
        group: str,
        transition: str,
        at: datetime,
        *,
        title: str,
        service: str,
        priority: str = "P2",
    ) -> AlertSignal:
        """Datadog's default template gives $ALERT_ID (monitor), $ALERT_TRANSITION, $ALERT_PRIORITY, scope."""
        status = "resolved" if transition == "Recovered" else "firing"
        external = f"{monitor_id}:{group}"
        return AlertSignal(
            id=deterministic_id("datadog", external, transition, at.isoformat()),
            occurred_at=at,
            source="datadog",
            vendor="datadog",
            external_id=external,
            fingerprint=external,
            status=status,
            title=title,
            alert_name=title.split("] ", 1)[-1],
            reported_severity=priority,
            labels={"scope": group},
            owner=Ownership(service=service),
        )

    def newrelic(
        self, body: dict[str, Any], *, state: str | None = None, service: str = "main-app"
    ) -> AlertSignal:
        state = state or body["state"]
        status = "resolved" if state == "CLOSED" else "firing"
        at = datetime.fromtimestamp(body["updatedAt"] / 1000, UTC)
        return AlertSignal(
            id=deterministic_id("newrelic", body["id"], state, body["updatedAt"]),
            occurred_at=at,
            source="newrelic",
            vendor="newrelic",
            external_id=body["id"],
            fingerprint=body["id"],
            status=status,
            title=body["title"],
            alert_name=(body.get("alertConditionNames") or [body["title"]])[0],
            reported_severity=body["priority"],
            url=body["issueUrl"],
            vendor_state=state,
            owner=Ownership(service=service),
        )

    def cloudwatch(self, body: dict[str, Any], *, service: str = "storage") -> AlertSignal:
        message = json.loads(body["Message"])
        arn = f"arn:aws:cloudwatch:eu-west-1:{message['AWSAccountId']}:alarm:{message['AlarmName']}"
        state = message["NewStateValue"]
        return AlertSignal(
            id=deterministic_id("cloudwatch", body["MessageId"]),
            occurred_at=datetime.strptime(message["StateChangeTime"], "%Y-%m-%dT%H:%M:%S.%f%z"),
            source="cloudwatch",
            vendor="cloudwatch",
            external_id=arn,
            fingerprint=arn,
            status="resolved" if state == "OK" else "firing",
            title=message["AlarmName"],
            alert_name=message["AlarmName"],
            reported_severity=state,
            description=message.get("AlarmDescription"),
            owner=Ownership(service=service),
        )


@pytest.fixture
def signals() -> Signals:
    return Signals()


def make_settings(servers: Any, namespace: str, **overrides: Any) -> IncidentSettings:
    return load_settings(
        IncidentSettings,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        **overrides,
    )


@pytest.fixture
def settings_factory(servers: Any, namespace: str, cleanup_namespace: str) -> Callable[..., IncidentSettings]:
    def build(**overrides: Any) -> IncidentSettings:
        return make_settings(servers, namespace, **overrides)

    return build


@pytest.fixture
async def svc(settings_factory: Callable[..., IncidentSettings]) -> AsyncIterator[LiveService]:
    settings = settings_factory(group_interval_s=0.0)
    async with live_service(create_service(settings), settings) as live:
        yield live


class EventLog:
    """Every lifecycle event seen on the namespace's incident subjects (core NATS subscription)."""

    def __init__(self) -> None:
        self.events: list[IncidentChanged] = []

    def changes(self, incident_id: str | None = None) -> list[str]:
        return [e.change for e in self.events if incident_id is None or e.incident.id == incident_id]


@pytest.fixture
async def event_log(nc: Any, namespace: str) -> AsyncIterator[EventLog]:
    log = EventLog()
    decoder = msgspec.json.Decoder(IncidentChanged)

    async def on_msg(msg: Any) -> None:
        log.events.append(decoder.decode(msg.data))

    sub = await nc.subscribe(f"{namespace}.incident.incident.>", cb=on_msg)
    yield log
    await sub.unsubscribe()


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns a truthy value (the service consumes asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


@pytest.fixture
def wait() -> Callable[..., Awaitable[Any]]:
    return eventually
