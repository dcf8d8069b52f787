"""Build the labelled replay: several thousand AlertSignals across six vendors with ground truth.

Each line: {"signal": <AlertSignal JSON>, "problem": <true alert id>, "incident": <true incident id>,
"redelivery": bool}. Scenarios: repeats, state changes (PagerDuty ack), flapping within the reopen
window, Alertmanager groups resolving in parts, near-duplicate titles of different problems, the
same alert name on several services, redeliveries, and alerts lacking a service label (which our
grouping cannot join to their incident: an honest source of lost recall).

    python bench/incident/replay.py --out bench/incident/replay.jsonl.gz --incidents 700 --seed 7
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from em_shared.contracts.alerts import AlertSignal
from em_shared.contracts.base import deterministic_id
from em_shared.contracts.ownership import Ownership
from incident_svc.domain.fingerprint import alertmanager_fingerprint

SERVICES = [
    "checkout",
    "search",
    "cart",
    "payments",
    "auth",
    "catalog",
    "shipping",
    "inventory",
    "email",
    "gateway",
    "ledger",
    "profile",
]
ALERTS = [
    "HighErrorRate",
    "HighLatency",
    "PodCrashLooping",
    "DiskFull",
    "QueueBacklog",
    "CertificateExpiry",
    "MemoryPressure",
    "5xxSpike",
    "DBConnectionsExhausted",
    "ReplicationLag",
    "CPUThrottling",
    "KafkaConsumerLag",
    "CacheMissRatio",
    "TLSHandshakeErrors",
    "JobFailed",
]
# Different problems whose titles differ by a character or a space.
NEAR_DUPLICATES = {"HighErrorRate": "HighErrorRates", "HighLatency": "HighLatencyP99", "DiskFull": "DiskFill"}
VENDORS = ["pagerduty", "sentry", "datadog", "newrelic", "alertmanager", "cloudwatch"]
SEVERITY = {
    "pagerduty": ["high", "low", "P1", "P2"],
    "sentry": ["error", "fatal", "warning"],
    "datadog": ["P1", "P2", "P3"],
    "newrelic": ["CRITICAL", "HIGH", "MEDIUM"],
    "alertmanager": ["critical", "warning"],
    "cloudwatch": ["ALARM"],
}
REOPEN_WINDOW = timedelta(hours=1)


class Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lines: list[dict[str, Any]] = []
        self.busy_until: dict[tuple[str, str], datetime] = {}

    def emit(self, sig: AlertSignal, problem: str, incident: str) -> None:
        self.lines.append(
            {
                "signal": msgspec.to_builtins(sig),
                "problem": problem,
                "incident": incident,
                "redelivery": False,
            }
        )
        if self.rng.random() < 0.04:  # the vendor retried: same event id
            self.lines.append(
                {
                    "signal": msgspec.to_builtins(sig),
                    "problem": problem,
                    "incident": incident,
                    "redelivery": True,
                }
            )

    def signal(
        self,
        vendor: str,
        ext: str,
        status: str,
        at: datetime,
        *,
        service: str | None,
        name: str,
        severity: str,
        labels: dict[str, str] | None = None,
        vendor_state: str | None = None,
        seq: int = 0,
    ) -> AlertSignal:
        title = {
            "sentry": f"{name}: error in {service or 'worker'}",
            "datadog": f"[{severity}] {name} on {service}",
            "cloudwatch": f"{service}-{name}",
        }.get(vendor, name)
        return AlertSignal(
            id=deterministic_id("replay", vendor, ext, status, at.isoformat(), seq),
            occurred_at=at,
            source=vendor,
            vendor=vendor,
            external_id=ext,
            fingerprint=ext,
            status=status,
            title=title,
            alert_name=name,
            reported_severity=severity,
            labels=labels or {},
            vendor_state=vendor_state,
            owner=Ownership(service=service, team=f"team-{(service or 'x')[:3]}") if service else Ownership(),
        )

    def incident(self, n: int, start: datetime) -> None:
        rng = self.rng
        vendor = rng.choice(VENDORS)
        service = rng.choice(SERVICES)
        name = rng.choice(ALERTS)
        if rng.random() < 0.08 and name in NEAR_DUPLICATES:
            name = NEAR_DUPLICATES[name]
        key = (service, name)
        start = max(start, self.busy_until.get(key, start))
        truth = f"inc-{n}"
        size = (
            rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
            if vendor != "alertmanager"
            else rng.choice([1, 1, 2, 3, 5, 8, 12, 50])
        )
        severity = rng.choice(SEVERITY[vendor])
        end = start
        for a in range(size):
            labels: dict[str, str] = {}
            alert_service: str | None = service
            if vendor == "alertmanager":
                labels = {
                    "alertname": name,
                    "service": service,
                    "instance": f"10.{n % 250}.{a // 250}.{a % 250}:9100",
                    "severity": severity,
                    "job": service,
                }
                if rng.random() < 0.02:  # a scrape job without the service label
                    labels.pop("service")
                    alert_service = None
                ext = alertmanager_fingerprint(labels)
            elif vendor == "datadog":
                ext = f"{1000 + n}:host:{service}-{a}"
            elif vendor == "cloudwatch":
                ext = f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{service}-{name}-{n}-{a}"
            else:
                ext = f"{vendor[:2].upper()}{n:05d}{a:03d}"
            problem = f"{vendor}:{ext}"
            t = start + timedelta(seconds=rng.uniform(0, 90))
            self.emit(
                self.signal(
                    vendor,
                    ext,
                    "firing",
                    t,
                    service=alert_service,
                    name=name,
                    severity=severity,
                    labels=labels,
                ),
                problem,
                truth,
            )
            for r in range(rng.choice([0, 0, 1, 2, 3])):  # repeats: new event ids, same problem
                t += timedelta(seconds=rng.uniform(20, 120))
                self.emit(
                    self.signal(
                        vendor,
                        ext,
                        "firing",
                        t,
                        service=alert_service,
                        name=name,
                        severity=severity,
                        labels=labels,
                        seq=r + 1,
                    ),
                    problem,
                    truth,
                )
            if vendor == "pagerduty" and rng.random() < 0.6:
                t += timedelta(seconds=rng.uniform(30, 300))
                self.emit(
                    self.signal(
                        vendor,
                        ext,
                        "firing",
                        t,
                        service=alert_service,
                        name=name,
                        severity=severity,
                        vendor_state="acknowledged",
                    ),
                    problem,
                    truth,
                )
            if rng.random() < 0.15:  # flapping: recovers and fires again within minutes
                for f in range(rng.choice([1, 2, 3])):
                    t += timedelta(seconds=rng.uniform(30, 200))
                    self.emit(
                        self.signal(
                            vendor,
                            ext,
                            "resolved",
                            t,
                            service=alert_service,
                            name=name,
                            severity=severity,
                            labels=labels,
                            seq=100 + f,
                        ),
                        problem,
                        truth,
                    )
                    t += timedelta(seconds=rng.uniform(30, 400))
                    self.emit(
                        self.signal(
                            vendor,
                            ext,
                            "firing",
                            t,
                            service=alert_service,
                            name=name,
                            severity=severity,
                            labels=labels,
                            seq=200 + f,
                        ),
                        problem,
                        truth,
                    )
            t += timedelta(seconds=rng.uniform(120, 1800))
            self.emit(
                self.signal(
                    vendor,
                    ext,
                    "resolved",
                    t,
                    service=alert_service,
                    name=name,
                    severity=severity,
                    labels=labels,
                    seq=999,
                ),
                problem,
                truth,
            )
            end = max(end, t)
        # The next incident with this grouping key starts well after the reopen window.
        self.busy_until[key] = end + REOPEN_WINDOW + timedelta(minutes=30)


def build(incidents: int, seed: int) -> list[dict[str, Any]]:
    b = Builder(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for n in range(incidents):
        b.incident(n, start + timedelta(minutes=b.rng.uniform(0, 60 * 24 * 14)))
    # Publish in time order, as vendors would deliver (redeliveries right after their original).
    b.lines.sort(key=lambda line: line["signal"]["occurred_at"])
    return b.lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="bench/incident/replay.jsonl.gz")
    parser.add_argument("--incidents", type=int, default=700)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = build(args.incidents, args.seed)
    with gzip.open(args.out, "wt") as fh:
        for line in lines:
            fh.write(json.dumps(line, sort_keys=True) + "\n")
    vendors: dict[str, int] = {}
    for line in lines:
        vendors[line["signal"]["vendor"]] = vendors.get(line["signal"]["vendor"], 0) + 1
    print(
        f"{len(lines)} signals, {len({ln['problem'] for ln in lines})} alerts, "
        f"{len({ln['incident'] for ln in lines})} incidents; by vendor {vendors}"
    )


if __name__ == "__main__":
    main()
