"""Vendor deliveries for the held-out alert streams, each templated from a real webhook fixture.

Written on 2026-11-28 (session 5) from the vendors' documented behaviour and docs/incidents.md, before
incident-svc's dedup and grouping code or its tests were read. Each stream is a sequence of vendor
deliveries over time, every payload derived from a fixture in tests/fixtures/webhooks (provenance in
its SOURCES.md) with the fields the vendor's docs say change between notifications; each alert in a
delivery is labelled with the vendor problem it is (`alert`) and the incident an on-call engineer
expects it in (`incident`, null: it should open nothing); `expect` gives each incident's final state.
Where docs/incidents.md states a rule (grouping key = service + alert name, reopen within 1 h, a
recovery never seen firing opens nothing), the label follows it and the stream's description
says so (its builder's docstring).

Services, ids and monitor numbers carry the stream's number, so the streams can share one
incident-svc without touching each other. The streams themselves: build.py.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incident_svc.domain.fingerprint import alertmanager_fingerprint

HERE = Path(__file__).parent
FIXTURES = HERE.parents[2] / "tests" / "fixtures" / "webhooks"
OUT = HERE / "streams"


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())  # type: ignore[no-any-return]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def T(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


class Stream:
    """One labelled stream: deliveries in vendor order, truth per alert, expected incidents."""

    def __init__(self, n: int, sid: str, description: str) -> None:
        self.n, self.id, self.description = n, sid, description
        self.deliveries: list[dict[str, Any]] = []
        self.expect: dict[str, str] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self._k = 0

    # ids and names private to the stream
    def svc(self, name: str) -> str:
        return f"{name}-s{self.n:02d}"

    def uid(self, prefix: str = "") -> str:
        self._k += 1
        h = hashlib.sha1(f"{self.id}:{self._k}".encode()).hexdigest()
        return f"{prefix}{h[:12]}"

    def num(self, base: int) -> str:
        return str(base * 100 + self.n)

    def add(self, source: str, at: datetime, body: dict[str, Any], truth: list[dict[str, Any]], headers=None):
        self.deliveries.append(
            {"source": source, "at": iso(at), "headers": headers or {}, "body": body, "truth": truth}
        )

    def dump(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "deliveries": self.deliveries,
            "expect": {"incidents": self.expect, "count": len(self.expect)},
            "catalog": list(self.services.values()),
        }


# --- vendors -------------------------------------------------------------------------------------

PD_FIX = _fixture("pagerduty/incident.triggered.json")["body"]


def pagerduty(
    s: Stream,
    event_type: str,
    at: datetime,
    inc: str,
    title: str,
    service: str,
    status: str,
    *,
    alert: str,
    incident: str | None,
    urgency: str = "high",
    priority: str | None = None,
    number: int = 9,
) -> dict[str, Any]:
    body = copy.deepcopy(PD_FIX)
    ev = body["event"]
    ev["id"] = s.uid("01").upper()
    ev["event_type"] = event_type
    ev["occurred_at"] = iso(at).replace("Z", ".000Z")
    d = ev["data"]
    d["id"] = inc
    d["self"] = f"https://api.pagerduty.com/incidents/{inc}"
    d["html_url"] = f"https://acme.pagerduty.com/incidents/{inc}"
    d["number"] = number
    d["status"] = status
    d["title"] = title
    d["service"]["summary"] = service
    d["service"]["id"] = "P" + hashlib.sha1(service.encode()).hexdigest()[:6].upper()
    d["urgency"] = urgency
    d["priority"] = (
        None
        if priority is None
        else {"id": "PSO" + priority, "summary": priority, "type": "priority_reference"}
    )
    if status == "resolved":
        d["assignees"] = []
    s.add("pagerduty", at, body, [{"alert": alert, "incident": incident}])
    return body


SENTRY_FIX = _fixture("sentry/issue.created.json")["body"]
SENTRY_ALERT_FIX = _fixture("sentry/event_alert.triggered.json")["body"]


def sentry_issue(
    s: Stream,
    action: str,
    at: datetime,
    issue: str,
    title: str,
    project: str,
    status: str,
    *,
    alert: str,
    incident: str | None,
    first_seen: datetime | None = None,
    substatus: str | None = None,
    level: str = "error",
) -> None:
    body = copy.deepcopy(SENTRY_FIX)
    body["action"] = action
    i = body["data"]["issue"]
    i["id"] = issue
    i["title"] = title
    i["shortId"] = f"{project.upper()}-{issue[-3:]}"
    i["lastSeen"] = iso(at)
    i["firstSeen"] = iso(first_seen or at)
    i["status"] = status
    i["level"] = level
    i["metadata"]["type"], _, value = title.partition(": ")
    i["metadata"]["value"] = value
    i["project"]["slug"] = project
    i["project"]["name"] = project
    if substatus:
        i["substatus"] = substatus
    if action == "resolved":
        body["data"]["resolution_type"] = "now"
        body["actor"] = {"type": "user", "id": 662437, "name": "On Call"}
    s.add("sentry", at, body, [{"alert": alert, "incident": incident}], {"Sentry-Hook-Resource": "issue"})


def sentry_event_alert(
    s: Stream, at: datetime, issue: str, title: str, project: str, *, alert: str, incident: str | None
) -> None:
    body = copy.deepcopy(SENTRY_ALERT_FIX)
    e = body["data"]["event"]
    event_id = s.uid() + s.uid()[:8] + "abcdefghijkl"[:8]
    e["event_id"] = event_id[:32]
    e["issue_id"] = issue
    e["issue_url"] = f"https://sentry.io/api/0/issues/{issue}/"
    e["title"] = title
    e["metadata"]["type"], _, e["metadata"]["value"] = title.partition(": ")
    e["datetime"] = iso(at).replace("Z", ".000000Z")
    e["timestamp"] = e["received"] = at.timestamp()
    e["url"] = f"https://sentry.io/api/0/projects/acme/{project}/events/{e['event_id']}/"
    e["web_url"] = f"https://sentry.io/organizations/acme/issues/{issue}/events/{e['event_id']}/"
    s.add(
        "sentry",
        at,
        body,
        [{"alert": alert, "incident": incident}],
        {"Sentry-Hook-Resource": "event_alert"},
    )


DD_FIX = _fixture("datadog/monitor.triggered.json")["body"]
DD_TYPE = {
    "Triggered": "error",
    "Re-Triggered": "error",
    "Renotify": "error",
    "Warn": "warning",
    "No Data": "error",
    "Recovered": "success",
}


def datadog(
    s: Stream,
    transition: str,
    at: datetime,
    monitor: str,
    scope: str,
    name: str,
    tags: str,
    *,
    alert: str,
    incident: str | None,
    priority: str = "P2",
    cycle: str = "1",
) -> None:
    body = copy.deepcopy(DD_FIX)
    body["id"] = str(7084620893441893000 + int(hashlib.sha1(s.uid().encode()).hexdigest()[:8], 16))
    label = {"Recovered": "Recovered", "Warn": "Warn", "No Data": "No data"}.get(transition, transition)
    body["title"] = f"[{label} on {{{scope}}}] {name}"
    body["body"] = f"%%%\n{name}: {transition}\n%%%"
    body["date"] = str(ms(at))
    body["last_updated"] = str(ms(at))
    body["alert_transition"] = transition
    body["alert_type"] = DD_TYPE[transition]
    body["alert_id"] = monitor
    body["alert_cycle_key"] = str(7019573547164543000 + int(cycle) + int(monitor) * 10)
    body["alert_priority"] = priority
    body["alert_scope"] = scope
    body["tags"] = tags
    body["link"] = f"https://app.datadoghq.com/monitors/{monitor}"
    body["alert_title"] = name
    s.add("datadog", at, body, [{"alert": alert, "incident": incident}])


NR_FIX = _fixture("newrelic/workflow.issue_created.json")["body"]


def newrelic(
    s: Stream,
    state: str,
    at: datetime,
    issue: str,
    entity: str,
    condition: str,
    *,
    alert: str,
    incident: str | None,
    created: datetime,
    priority: str = "HIGH",
    policy: str = "Golden Signals",
) -> None:
    body = copy.deepcopy(NR_FIX)
    body["id"] = issue
    body["issueUrl"] = f"https://radar-api.service.newrelic.com/accounts/1/issues/{issue}?notifier=WEBHOOK"
    body["title"] = f"{entity} query result is > 2.0 for 5 minutes on '{condition}'"
    body["priority"] = priority
    body["impactedEntities"] = [entity]
    body["state"] = state
    body["trigger"] = {
        "CREATED": "INCIDENT_ADDED",
        "ACTIVATED": "STATE_CHANGE",
        "ACKNOWLEDGED": "STATE_CHANGE",
        "CLOSED": "INCIDENT_CLOSED",
    }[state]
    body["createdAt"] = ms(created)
    body["updatedAt"] = ms(at)
    body["alertPolicyNames"] = [policy]
    body["alertConditionNames"] = [condition]
    s.add("newrelic", at, body, [{"alert": alert, "incident": incident}])


AM_FIX = _fixture("alertmanager/firing.grouped_2_alerts.json")["body"]
ZERO = "0001-01-01T00:00:00Z"


def am_alert(
    labels: dict[str, str], starts: datetime, ends: datetime | None = None, summary: str = ""
) -> dict:
    """One alert of a notification: resolved when `ends` is given (Alertmanager sets endsAt then)."""
    return {
        "status": "resolved" if ends else "firing",
        "labels": labels,
        "annotations": {"summary": summary or labels["alertname"], "description": f"{labels}"},
        "startsAt": iso(starts),
        "endsAt": iso(ends) if ends else ZERO,
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up&g0.tab=1",
        "fingerprint": alertmanager_fingerprint(labels),
    }


def alertmanager(
    s: Stream,
    at: datetime,
    alerts: list[tuple[dict[str, Any], str, str | None]],
    group_by: tuple[str, ...] = ("alertname", "service"),
    receiver: str = "incident-webhook",
) -> None:
    """A group notification; each alert given as (alert dict, truth alert, truth incident)."""
    body = copy.deepcopy(AM_FIX)
    items = [a for a, _, _ in alerts]
    body["receiver"] = receiver
    body["status"] = "firing" if any(a["status"] == "firing" for a in items) else "resolved"
    common = dict(items[0]["labels"])
    for a in items[1:]:
        common = {k: v for k, v in common.items() if a["labels"].get(k) == v}
    body["groupLabels"] = {k: common[k] for k in group_by if k in common}
    body["commonLabels"] = common
    body["commonAnnotations"] = {}
    body["externalURL"] = "http://alertmanager:9093"
    body["groupKey"] = "{}:{" + ",".join(f'{k}="{v}"' for k, v in body["groupLabels"].items()) + "}"
    body["truncatedAlerts"] = 0
    body["alerts"] = items
    truth = [{"alert": t, "incident": inc, "labels": a["labels"]} for a, t, inc in alerts]
    s.add("alertmanager", at, body, truth)


CW_FIX = _fixture("aws_eventbridge/cloudwatch_alarm_state_change.alarm.json")["body"]


def cloudwatch(
    s: Stream,
    at: datetime,
    alarm: str,
    state: str,
    previous: str,
    *,
    alert: str,
    incident: str | None,
    dimensions: dict[str, str] | None = None,
    description: str = "",
    composite_rule: str | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> None:
    body = copy.deepcopy(CW_FIX)
    body["id"] = s.uid("c4c1c1c9-") + "-e61b-6ef0"
    body["time"] = iso(at)
    body["region"] = region
    body["account"] = account
    body["resources"] = [f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm}"]
    det = body["detail"]
    det["alarmName"] = alarm
    if composite_rule:
        det["configuration"] = {"alarmRule": composite_rule, "description": description}
    else:
        det["configuration"]["description"] = description
        m = det["configuration"]["metrics"][0]["metricStat"]["metric"]
        m["dimensions"] = dimensions or {}
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    det["previousState"] = {"reason": f"was {previous}", "timestamp": stamp, "value": previous}
    det["state"] = {"reason": f"Threshold Crossed: now {state}", "timestamp": stamp, "value": state}
    s.add("cloudwatch", at, body, [{"alert": alert, "incident": incident}])


def catalog_sentry(s: Stream, service: str, project: str) -> None:
    s.services[service] = {"name": service, "projects": [project]}


def catalog_ecs(s: Stream, service: str) -> None:
    s.services[service] = {"name": service, "labels": {"ServiceName": service}}


BUILDERS: list[Callable[[int], Stream]] = []


def stream(fn: Callable[[Stream], None]) -> Callable[[Stream], None]:
    BUILDERS.append(lambda n, fn=fn: _run(fn, n))
    return fn


def _run(fn: Callable[[Stream], None], n: int) -> Stream:
    s = Stream(n, fn.__name__.replace("_", "-"), " ".join((fn.__doc__ or "").split()))
    fn(s)
    return s
