"""What incident-svc reads out of one AlertSignal: identity, severity, service, grouping key.

Pure: the same signal and rules always give the same facts, so two consumers agree on the key
they race for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from em_shared.contracts.alerts import AlertSignal

from incident_svc.domain.fingerprint import alertmanager_fingerprint, identity_fingerprint
from incident_svc.domain.grouping import GroupingRules, group_key
from incident_svc.domain.severity import SeverityMap

FIRING, RESOLVED = "firing", "resolved"
# Vendors say "resolved" many ways; everything else counts as firing (an alert we cannot read as
# recovered must not silently close an incident).
_RECOVERED = {"resolved", "recovered", "ok", "closed", "inactive", "normal", "success"}


@dataclass(frozen=True)
class IntakeRules:
    grouping: GroupingRules = field(default_factory=GroupingRules)
    severity: SeverityMap = field(default_factory=SeverityMap)
    identity_fields: tuple[str, ...] = ("alert_name", "service", "environment", "labels")


@dataclass(frozen=True)
class AlertFacts:
    vendor: str
    external_id: str  # the dedup key within the vendor
    fingerprint: str
    status: str
    severity: str
    service: str | None
    team: str | None
    environment: str | None
    alert_name: str | None
    group_key: str


def normalize_status(raw: str) -> str:
    return RESOLVED if raw.strip().lower() in _RECOVERED else FIRING


def read_signal(signal: AlertSignal, rules: IntakeRules) -> AlertFacts:
    vendor = signal.vendor.strip().lower()
    labels = signal.labels
    service = signal.owner.service or labels.get("service") or None
    environment = labels.get("environment") or labels.get("env") or None
    # Whitespace differences are formatting, not a different alert.
    alert_name = " ".join((signal.alert_name or labels.get("alertname") or "").split()) or None
    values = {
        "service": service,
        "environment": environment,
        "alert_name": alert_name,
        "team": signal.owner.team,
        "vendor": vendor,
    }
    if vendor == "alertmanager" and labels:
        # Alertmanager's identity *is* the label set: recompute it so ours is byte-identical.
        external_id = alertmanager_fingerprint(labels)
        fingerprint = external_id
    else:
        fingerprint = signal.fingerprint or identity_fingerprint(
            vendor, rules.identity_fields, values, labels
        )
        external_id = signal.external_id.strip() or fingerprint
    values["external_id"] = external_id
    fields = rules.grouping.fields_for(vendor, service)
    key = group_key(fields, values, labels, fallback=f"{vendor}:{external_id}")
    return AlertFacts(
        vendor=vendor,
        external_id=external_id,
        fingerprint=fingerprint,
        status=normalize_status(signal.status),
        severity=rules.severity.map(vendor, signal.reported_severity, labels),
        service=service,
        team=signal.owner.team,
        environment=environment,
        alert_name=alert_name,
        group_key=key,
    )
