"""Labelled vendor webhook traffic for the webhook-level scorer, templated from the real fixtures.

The world: services with problems (a condition on a service, with a start and an end); each problem is
seen by one vendor and reaches us as that vendor's deliveries, in the vendor's shapes and habits
(PagerDuty incident trigger/acknowledge/resolve, Sentry issue created/alert/resolved/regressed,
Datadog monitor groups with Warn/No Data/Recovered transitions and flapping, New Relic issue states,
Alertmanager groups re-sent with every change and every repeat interval, CloudWatch alarm state
changes via EventBridge), plus redeliveries of the same body. Names are shared across services
(`HighErrorRate` fires on several). The truth labels are the vendor's problem (one alert: one
PagerDuty incident, one Sentry issue, one Datadog monitor group, one New Relic issue, one Alertmanager
label set, one alarm) and the incident (one condition episode on one service: every instance alert of
an Alertmanager group, every host group of a Datadog monitor for that service, a flap within it).
One condition (service, name) never has two overlapping episodes: it is on or off.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_svc.domain.fingerprint import alertmanager_fingerprint

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "webhooks"
SERVICES = ["checkout", "search", "cart", "payments", "auth", "catalog", "shipping", "ledger"]
# Problem names as teams write them; the same name fires on several services.
NAMES = [
    "HighErrorRate",
    "HighLatency",
    "PodCrashLooping",
    "DiskAlmostFull",
    "QueueBacklog",
    "CertificateExpiring",
    "ReplicaLag",
    "MemoryPressure",
]
# Each vendor names a problem its own way (Prometheus alertnames, PagerDuty summaries, Datadog monitor
# names, New Relic conditions, CloudWatch alarm names), so two vendors never send the same name by
# accident: when they do (an alertname forwarded to PagerDuty), it is one problem seen twice and one
# incident is right, a case this truth cannot label, so it is left out.
HUMAN = {
    "HighErrorRate": "Error rate above 5%",
    "HighLatency": "p99 latency above 2s",
    "PodCrashLooping": "Pods restarting repeatedly",
    "DiskAlmostFull": "Disk usage above 90%",
    "QueueBacklog": "Queue backlog growing",
    "CertificateExpiring": "TLS certificate expires in 7 days",
    "ReplicaLag": "Database replica lag above 30s",
    "MemoryPressure": "Memory usage above 85%",
}
SENTRY_ERRORS = [
    "TypeError: Cannot read properties of undefined (reading '{x}')",
    "KeyError: '{x}'",
    "ConnectionResetError: [Errno 104] Connection reset by peer ({x})",
    'IntegrityError: duplicate key value violates unique constraint "{x}_pkey"',
    "TimeoutError: {x} did not answer within 30s",
]
VENDORS = ["pagerduty", "sentry", "datadog", "newrelic", "alertmanager", "cloudwatch"]


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())["body"]  # type: ignore[no-any-return]


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class Delivery:
    """One POST: source, body, extra headers, vendor time (the send order), and the truth of each
    alert in it: (problem id, incident id, match labels) -- labels only for Alertmanager groups."""

    source: str
    at: datetime
    body: dict[str, Any]
    truth: list[tuple[str, str, dict[str, str] | None]]
    headers: dict[str, str] = field(default_factory=dict)
    # Per alert of `truth`: whether the vendor says the problem is over after this delivery.
    ended: tuple[bool, ...] = ()
    redelivery_of: Delivery | None = None


class World:
    def __init__(self, seed: int, hours: float, start: datetime) -> None:
        self.rng = random.Random(seed)
        self.start, self.hours = start, hours
        self.out: list[Delivery] = []
        self._busy: dict[tuple[str, str, str], datetime] = {}  # (vendor, service, name) -> free from
        self._n = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:05d}"

    def _episode(self, vendor: str, service: str, name: str, minutes: float) -> datetime | None:
        """A start for a new episode of this condition, after its previous one ended (plus a gap past
        incident-svc's default reopen window, so a new episode is a new incident for everyone)."""
        t = self.start + timedelta(minutes=self.rng.uniform(0, self.hours * 60))
        free = self._busy.get((vendor, service, name))
        if free and t < free:
            return None
        self._busy[(vendor, service, name)] = t + timedelta(minutes=minutes + 150)
        return t

    def _never_ends(self, vendor: str, service: str, name: str) -> None:
        """The problem is still open when the traffic ends: its condition has no later episode."""
        self._busy[(vendor, service, name)] = datetime.max.replace(tzinfo=UTC)

    def emit(self, d: Delivery) -> None:
        self.out.append(d)
        if self.rng.random() < 0.08:  # the vendor did not see our 2xx in time: the same body again
            again = Delivery(d.source, d.at + timedelta(seconds=self.rng.uniform(1, 30)), d.body, d.truth)
            again.headers, again.ended, again.redelivery_of = d.headers, d.ended, d
            self.out.append(again)

    # --- PagerDuty: one incident per problem; trigger, maybe acknowledge, maybe reassign, resolve.
    def pagerduty(self) -> None:
        service, name = self.rng.choice(SERVICES), self.rng.choice(NAMES)
        dur = self.rng.uniform(5, 90)
        t0 = self._episode("pagerduty", service, name, dur)
        if t0 is None:
            return
        base = _fixture("pagerduty/incident.triggered.json")
        inc = self._id("Q")
        problem = f"pd:{inc}"
        incident = problem
        steps = [("incident.triggered", "triggered", 0.0)]
        if self.rng.random() < 0.7:
            steps.append(("incident.acknowledged", "acknowledged", self.rng.uniform(1, 5)))
        if self.rng.random() < 0.2:
            steps.append(("incident.priority_updated", "acknowledged", self.rng.uniform(5, 8)))
        if self.rng.random() < 0.85:
            steps.append(("incident.resolved", "resolved", dur))
        else:
            self._never_ends("pagerduty", service, name)
        # Half the integrations title incidents with the bare check name, shared across services.
        title = HUMAN[name] if self.rng.random() < 0.5 else f"{service}: {HUMAN[name]}"
        for event_type, status, minutes in steps:
            body = copy.deepcopy(base)
            ev, data = body["event"], body["event"]["data"]
            ev.update(id=uuid.UUID(int=self.rng.getrandbits(128)).hex.upper()[:26], event_type=event_type)
            ev["occurred_at"] = _iso(t0 + timedelta(minutes=minutes))
            data.update(id=inc, status=status, title=title, number=self._n)
            data["html_url"] = f"https://acme.pagerduty.com/incidents/{inc}"
            data["service"].update(summary=service, id=f"PS{SERVICES.index(service):05d}")
            data["urgency"] = self.rng.choice(["high", "low"])
            at = t0 + timedelta(minutes=minutes)
            truth = [(problem, incident, None)]
            self.emit(Delivery("pagerduty", at, body, truth, ended=(status == "resolved",)))

    # --- Sentry: an issue per problem; created, an issue alert rule firing, resolved, sometimes a
    # regression (unresolved) shortly after the release that "fixed" it, then resolved again.
    def sentry(self) -> None:
        service = self.rng.choice(SERVICES)
        err = self.rng.choice(SENTRY_ERRORS).format(x=self.rng.choice(["user", "cart_id", "order", "sku"]))
        dur = self.rng.uniform(10, 60)
        t0 = self._episode("sentry", service, err, dur)
        if t0 is None:
            return
        issue_id = str(1_700_000_000 + self._n)
        self._n += 1
        problem = incident = f"sentry:{issue_id}"
        slug = f"{service}-web"
        created = _fixture("sentry/issue.created.json")
        rule = _fixture("sentry/event_alert.triggered.json")

        def issue(action: str, seen: datetime) -> dict[str, Any]:
            body = copy.deepcopy(created)
            body["action"] = action
            i = body["data"]["issue"]
            i.update(id=issue_id, title=err, lastSeen=_iso(seen), firstSeen=_iso(t0))
            i["status"] = "resolved" if action == "resolved" else "unresolved"
            i["shortId"] = f"{slug.upper()}-{issue_id[-3:]}"
            i["project"].update(slug=slug, name=slug, id=str(SERVICES.index(service) + 10))
            return body

        def send(body: dict[str, Any], at: datetime, resource: str) -> None:
            headers = {"Sentry-Hook-Resource": resource, "Request-ID": str(uuid.uuid4())}
            ended = (body.get("action") == "resolved",)
            self.emit(Delivery("sentry", at, body, [(problem, incident, None)], headers, ended))

        send(issue("created", t0), t0, "issue")
        if self.rng.random() < 0.6:
            body = copy.deepcopy(rule)
            ev = body["data"]["event"]
            at = t0 + timedelta(seconds=self.rng.uniform(5, 60))
            ev.update(issue_id=issue_id, title=err, datetime=_iso(at), timestamp=at.timestamp())
            ev["url"] = f"https://sentry.io/api/0/projects/acme/{slug}/events/{uuid.uuid4().hex}/"
            ev["issue_url"] = f"https://sentry.io/api/0/issues/{issue_id}/"
            ev["project"] = SERVICES.index(service) + 10
            send(body, at, "event_alert")
        if self.rng.random() >= 0.8:
            self._never_ends("sentry", service, err)
        else:
            t1 = t0 + timedelta(minutes=dur)
            send(issue("resolved", t1), t1, "issue")
            if self.rng.random() < 0.2:  # regression minutes after the release
                t2 = t1 + timedelta(minutes=self.rng.uniform(2, 20))
                send(issue("unresolved", t2), t2, "issue")
                t3 = t2 + timedelta(minutes=self.rng.uniform(5, 30))
                send(issue("resolved", t3), t3, "issue")

    # --- Datadog: a multi-alert monitor grouped by host for one service (one incident, a problem per
    # host group), with Warn before Triggered, re-notifications, No Data, flapping and recoveries.
    def datadog(self) -> None:
        service, name = self.rng.choice(SERVICES), self.rng.choice(NAMES)
        dur = self.rng.uniform(5, 60)
        t0 = self._episode("datadog", service, name, dur)
        if t0 is None:
            return
        base = _fixture("datadog/monitor.triggered.json")
        monitor = str(4_000_000 + SERVICES.index(service) * 100 + NAMES.index(name))
        incident = f"dd:{monitor}:{t0.isoformat()}"
        title = f"[prod] {HUMAN[name]}"  # one monitor per service (its tag), named generically
        hosts = self.rng.sample(range(1, 30), self.rng.choice([1, 1, 2, 3, 5]))
        for host in hosts:
            scope = f"host:{service}-{host}"
            problem = f"dd:{monitor}:{scope}"
            t = t0 + timedelta(minutes=self.rng.uniform(0, 5))
            seq: list[tuple[str, str, float]] = []
            if self.rng.random() < 0.3:
                seq.append(("Warn", "warning", 0.0))
            seq.append(("Triggered", "error", self.rng.uniform(0.5, 2)))
            if self.rng.random() < 0.3:
                seq.append(("Re-Triggered", "error", self.rng.uniform(2, 10)))  # renotify
            if self.rng.random() < 0.25:  # flap: recover and trigger again within the episode
                seq += [("Recovered", "success", self.rng.uniform(3, 6)), ("Triggered", "error", 2.0)]
            if self.rng.random() < 0.15:
                seq.append(("No Data", "error", self.rng.uniform(1, 5)))
            # Steps are minutes after the previous transition; squeezed so that all come before the
            # episode's final recovery.
            room = max(0.5, dur - (t - t0).total_seconds() / 60) * 0.9
            total = sum(step for _, _, step in seq) or 1.0
            scale = min(1.0, room / total)
            seq.append(("Recovered", "success", 0.0))
            cycle = str(self.rng.getrandbits(62))
            last = t
            for transition, alert_type, step in seq:
                last = last + timedelta(minutes=step * scale)
                if transition == "Recovered" and step == 0.0:
                    last = max(last, t0 + timedelta(minutes=dur))
                body = copy.deepcopy(base)
                body.update(
                    id=str(self.rng.getrandbits(62)),
                    title=f"[{transition} on {{{scope}}}] {title}",
                    date=str(_ms(t)),
                    last_updated=str(_ms(last)),
                    alert_transition=transition,
                    alert_type=alert_type,
                    alert_id=monitor,
                    alert_cycle_key=cycle,
                    alert_priority=self.rng.choice(["P1", "P2", "P3"]),
                    alert_scope=scope,
                    tags=f"service:{service},env:prod,team:{service}-team,monitor:{name.lower()}",
                    link=f"https://app.datadoghq.com/monitors/{monitor}",
                    alert_title=title,
                )
                if transition == "Recovered":
                    cycle = str(self.rng.getrandbits(62))  # the next trigger starts a new alert cycle
                truth = [(problem, incident, None)]
                self.emit(Delivery("datadog", last, body, truth, ended=(transition == "Recovered",)))

    # --- New Relic: one issue per problem, CREATED -> ACTIVATED -> (ACKNOWLEDGED) -> CLOSED.
    def newrelic(self) -> None:
        service, name = self.rng.choice(SERVICES), self.rng.choice(NAMES)
        dur = self.rng.uniform(5, 60)
        t0 = self._episode("newrelic", service, name, dur)
        if t0 is None:
            return
        base = _fixture("newrelic/workflow.issue_created.json")
        issue = str(uuid.UUID(int=self.rng.getrandbits(128)))
        problem = incident = f"nr:{issue}"
        states = [("CREATED", 0.0), ("ACTIVATED", 0.05)]
        if self.rng.random() < 0.5:
            states.append(("ACKNOWLEDGED", self.rng.uniform(1, 5)))
        if self.rng.random() < 0.85:
            states.append(("CLOSED", dur))
        else:
            self._never_ends("newrelic", service, name)
        for state, minutes in states:
            body = copy.deepcopy(base)
            body.update(
                id=issue,
                issueUrl=f"https://radar-api.service.newrelic.com/accounts/1/issues/{issue}",
                title=f"{service} query result is > 2.0 for 5 minutes on 'Golden signals: {HUMAN[name].lower()}'",
                priority=self.rng.choice(["CRITICAL", "HIGH"]),
                impactedEntities=[service],
                state=state,
                createdAt=_ms(t0),
                updatedAt=_ms(t0 + timedelta(minutes=minutes)),
                alertPolicyNames=[f"{service} golden signals"],
                alertConditionNames=[f"Golden signals: {HUMAN[name].lower()}"],
            )
            at = t0 + timedelta(minutes=minutes)
            self.emit(Delivery("newrelic", at, body, [(problem, incident, None)], ended=(state == "CLOSED",)))

    # --- Alertmanager: a group (alertname + service) of instance alerts; every notification carries
    # the whole group (firing and just-resolved alerts), new alerts join after group_interval, the
    # group is re-sent every repeat_interval, instances resolve in parts, one may flap.
    def alertmanager(self) -> None:
        service, name = self.rng.choice(SERVICES), self.rng.choice(NAMES)
        dur = self.rng.uniform(10, 60)
        t0 = self._episode("alertmanager", service, name, dur)
        if t0 is None:
            return
        base = _fixture("alertmanager/firing.grouped_2_alerts.json")
        incident = f"am:{service}:{name}:{t0.isoformat()}"
        n = self.rng.choice([1, 1, 2, 3, 5, 8, 12])
        sev = self.rng.choice(["critical", "warning"])
        alerts = []
        for i in range(n):
            labels = {
                "alertname": name,
                "service": service,
                "severity": sev,
                "instance": f"10.{SERVICES.index(service)}.{i // 200}.{i % 200 + 1}:9100",
                "job": service,
            }
            start = t0 + timedelta(minutes=self.rng.uniform(0, min(10, dur / 2)))
            end = t0 + timedelta(minutes=self.rng.uniform(dur * 0.6, dur))
            flap = self.rng.random() < 0.15
            alerts.append({"labels": labels, "start": start, "end": end, "flap": flap})
        # Notification times: group_wait after the first, then every group_interval (5 min) while
        # something changed, plus repeat_interval re-sends (every 20 min here).
        times = sorted({a["start"] for a in alerts} | {a["end"] for a in alerts})
        notes: list[datetime] = []
        for t in times:
            due = t + timedelta(seconds=30)
            if notes and due < notes[-1] + timedelta(minutes=5):
                due = notes[-1] + timedelta(minutes=5)
            if not notes or due > notes[-1]:
                notes.append(due)
        t = notes[0] + timedelta(minutes=20)
        while t < max(a["end"] for a in alerts):
            notes.append(t)
            t += timedelta(minutes=20)
        notes.sort()
        sent_resolved: set[str] = set()
        for when in notes:
            members = []
            for a in alerts:
                labels = a["labels"]
                fp = alertmanager_fingerprint(labels)
                starts = a["start"]
                if a["flap"] and when > starts + timedelta(minutes=6):
                    starts = starts + timedelta(minutes=6)  # resolved and fired again: a new startsAt
                if when < a["start"]:
                    continue
                resolved = when >= a["end"]
                if resolved and fp in sent_resolved:
                    continue  # a resolved alert is sent once, then drops out of the group
                if resolved:
                    sent_resolved.add(fp)
                members.append(
                    {
                        "status": "resolved" if resolved else "firing",
                        "labels": labels,
                        "annotations": {"summary": f"{name} on {labels['instance']}"},
                        "startsAt": _iso(starts),
                        "endsAt": _iso(a["end"]) if resolved else "0001-01-01T00:00:00Z",
                        "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
                        "fingerprint": fp,
                    }
                )
            if not members:
                continue
            body = copy.deepcopy(base)
            common = {"alertname": name, "service": service, "severity": sev, "job": service}
            body.update(
                receiver="em-agent",
                status="firing" if any(m["status"] == "firing" for m in members) else "resolved",
                groupLabels={"alertname": name, "service": service},
                commonLabels=common,
                commonAnnotations={},
                groupKey=f'{{}}:{{alertname="{name}", service="{service}"}}',
                alerts=members,
            )
            truth = [(f"am:{m['fingerprint']}", incident, m["labels"]) for m in members]
            ended = tuple(m["status"] == "resolved" for m in members)
            self.emit(Delivery("alertmanager", when, body, truth, ended=ended))

    # --- CloudWatch alarms through EventBridge: OK -> ALARM -> OK, flapping, INSUFFICIENT_DATA.
    def cloudwatch(self) -> None:
        service, name = self.rng.choice(SERVICES), self.rng.choice(NAMES)
        dur = self.rng.uniform(10, 60)
        t0 = self._episode("cloudwatch", service, name, dur)
        if t0 is None:
            return
        region = "us-east-1"
        alarm = f"{service}-{name}"
        arn = f"arn:aws:cloudwatch:{region}:123456789012:alarm:{alarm}"
        problem = f"cw:{arn}"
        incident = f"cw:{arn}:{t0.isoformat()}"
        states = [("OK", "ALARM", 0.0)]
        if self.rng.random() < 0.2:
            states += [("ALARM", "OK", self.rng.uniform(2, 4)), ("OK", "ALARM", self.rng.uniform(5, 8))]
        if self.rng.random() < 0.15:
            states.append(("ALARM", "INSUFFICIENT_DATA", dur))
        else:
            states.append(("ALARM", "OK", dur))
        for previous, state, minutes in states:
            at = t0 + timedelta(minutes=minutes)
            body = {
                "version": "0",
                "id": str(uuid.UUID(int=self.rng.getrandbits(128))),
                "detail-type": "CloudWatch Alarm State Change",
                "source": "aws.cloudwatch",
                "account": "123456789012",
                "time": _iso(at),
                "region": region,
                "resources": [arn],
                "detail": {
                    "alarmName": alarm,
                    "configuration": {
                        "description": f"{name} on {service}",
                        "metrics": [
                            {
                                "id": "m1",
                                "metricStat": {
                                    "metric": {
                                        "dimensions": {"ServiceName": service, "ClusterName": "prod"},
                                        "name": name,
                                        "namespace": "AWS/ECS",
                                    },
                                    "period": 60,
                                    "stat": "Average",
                                },
                                "returnData": True,
                            }
                        ],
                    },
                    "previousState": {"value": previous, "reason": "", "timestamp": _iso(at)},
                    "state": {"value": state, "reason": f"{previous} -> {state}", "timestamp": _iso(at)},
                },
            }
            truth = [(problem, incident, None)]
            # Out of ALARM is over, whether to OK or INSUFFICIENT_DATA (what the console shows).
            self.emit(Delivery("cloudwatch", at, body, truth, ended=(state != "ALARM",)))


def generate(seed: int, problems: int, hours: float, start: datetime) -> list[Delivery]:
    """Deliveries in the order the vendors would send them (vendor time)."""
    world = World(seed, hours, start)
    makers = [getattr(world, v) for v in VENDORS]
    for i in range(problems):
        makers[i % len(makers)]()
    return sorted(world.out, key=lambda d: d.at)
