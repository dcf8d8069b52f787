"""CloudWatch alarms built from the real fixtures: the SNS `Notification.cloudwatch_alarm.json`
(alerta's capture; its Message re-encoded with a new `AlarmName`, `AlarmDescription`, state, an
`AlarmArn` as current SNS messages carry, or none as older ones; a composite alarm's `AlarmRule`
replacing `Trigger`; a new MessageId) and the EventBridge `cloudwatch_alarm_state_change.alarm.json`
(the docs' example; new name, description, state, and a composite alarm's `alarmRule`). Alarms have
no severity field: teams write it into the name (`P1-...`, `...-critical`, `[SEV2] ...`) or the
description (`Severity: low`, `priority=P2`). Expected: docs/incidents.md (a severity word in the
name or stated in the description, else ALARM high)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from alert_cases.model import NO_SERVICE, Case, Expect, Relation, fixture, headers_of

SNS = "aws_sns/Notification.cloudwatch_alarm.json"
EB = "aws_eventbridge/cloudwatch_alarm_state_change.alarm.json"
ACCOUNT, REGION = "1234567890", "eu-west-1"


def arn(name: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


def sns(
    name: str, *, description: str = "", state: str = "ALARM", with_arn: bool = True, composite: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    body = fixture(SNS)
    msg = json.loads(body["Message"])
    msg["AlarmName"] = name
    msg["AlarmDescription"] = description or None
    msg["NewStateValue"] = state
    msg["OldStateValue"] = "OK" if state == "ALARM" else "ALARM"
    if with_arn:
        msg["AlarmArn"] = arn(name)
    if composite:
        msg.pop("Trigger")
        msg["AlarmRule"] = 'ALARM("orders-5xx") OR ALARM("orders-latency")'
        msg["NewStateReason"] = (
            "arn:aws:cloudwatch:eu-west-1:1234567890:alarm:orders-5xx transitioned to ALARM"
        )
    body["Message"] = json.dumps(msg)
    body["Subject"] = f'{state}: "{name}" in EU (Ireland)'
    mid = f"{zlib.crc32((name + state + description).encode()):08x}-4281-5be4-8fde-dccc11c8cb01"
    body["MessageId"] = mid
    headers = headers_of(SNS)
    headers["x-amz-sns-message-id"] = mid
    return body, headers


def eventbridge(
    name: str, *, description: str = "", state: str = "ALARM", composite: bool = False
) -> dict[str, Any]:
    body = fixture(EB)
    body["id"] = f"{zlib.crc32((name + state).encode()):08x}-6542-e61b-6ef0-8c4d36933a92"
    body["resources"] = [arn(name, "123456789012", "us-east-1")]
    d = body["detail"]
    d["alarmName"] = name
    d["configuration"]["description"] = description
    d["state"]["value"] = state
    d["previousState"]["value"] = "OK" if state == "ALARM" else "ALARM"
    if composite:
        d["configuration"] = {
            "alarmRule": 'ALARM("api-5xx") AND ALARM("api-latency")',
            "description": description,
        }
        d["state"]["reason"] = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx transitioned to ALARM"
    return body


def cw(cid: str, name: str, sev: str | None, *, note: str = "", eb: bool = False, **kw: Any) -> Case:
    state = kw.get("state", "ALARM")
    status = "firing" if state == "ALARM" else "resolved"
    if eb:
        body, headers = eventbridge(name, **kw), headers_of(EB)
        ext = arn(name, "123456789012", "us-east-1")
    else:
        body, headers = sns(name, **kw)
        ext = arn(name)
    return Case(cid, "cloudwatch", body, Expect(sev, ext, name, NO_SERVICE, status), headers, note=note)


def cases() -> tuple[list[Case], list[Relation]]:
    c = [
        cw("cw3.name_p1_prefix", "P1-checkout-latency", "critical"),
        cw("cw3.name_critical_suffix", "api-5xx-critical", "critical"),
        cw("cw3.name_bracket_sev2", "[SEV2] queue depth", "high"),
        cw("cw3.name_warning", "orders-warning-backlog", "medium"),
        cw("cw3.name_warn_suffix", "rds-cpu-warn", "medium"),
        cw("cw3.name_sev3_prefix", "sev3-cache-miss-rate", "medium"),
        cw("cw3.name_crit_underscore", "checkout_latency_crit", "critical"),
        cw("cw3.name_slash_p2", "prod/checkout/P2/5xx-rate", "high"),
        cw("cw3.name_sev0_dash", "SEV0 - payments down", "critical"),
        cw("cw3.name_p4", "P4-nightly-report-late", "low"),
        cw(
            "cw3.camel_high_cpu", "HighCPUUtilization", "high", note="metric word, not a severity: ALARM high"
        ),
        cw("cw3.low_disk", "low-disk-space-web", "high", note="metric word, not a severity: ALARM high"),
        cw("cw3.plain_alarm", "ServerCpuTooHigh", "high", eb=True),
        cw(
            "cw3.desc_severity_low",
            "billing-export-lag",
            "low",
            description="Severity: low. Export lag above 1h",
        ),
        cw("cw3.desc_priority_p2", "search-error-rate", "high", description="priority=P2 owner=search"),
        cw(
            "cw3.desc_p1_word",
            "payments-auth-failures",
            "critical",
            description="P1: page the payments on-call",
        ),
        cw("cw3.desc_priority_high", "cart-latency", "high", description="Priority: High"),
        cw(
            "cw3.desc_severity_critical_eb",
            "api-gateway-5xx",
            "critical",
            eb=True,
            description="Severity: Critical",
        ),
        cw(
            "cw3.desc_critical_path_prose",
            "checkout-latency-p99",
            "high",
            description="Latency of the critical path above 2s for 5 minutes",
            note="prose, not a stated severity",
        ),
        cw("cw3.no_arn_p2", "P2-orders-dlq-depth", "high", with_arn=False),
        cw("cw3.composite_sns_p2", "P2-orders-degraded", "high", composite=True),
        cw("cw3.composite_eb_critical", "api-composite-critical", "critical", eb=True, composite=True),
        cw(
            "cw3.composite_eb_desc_sev3",
            "api-composite-health",
            "medium",
            eb=True,
            composite=True,
            description="Severity: SEV3",
        ),
        cw("cw3.ok_p1", "P1-checkout-latency", None, state="OK"),
        cw("cw3.insufficient_p1", "P1-checkout-latency", None, state="INSUFFICIENT_DATA"),
    ]
    r = [
        Relation("cw3.r.alarm_ok", "cw3.name_p1_prefix", "cw3.ok_p1", True, True),
        Relation("cw3.r.diff", "cw3.name_p1_prefix", "cw3.name_critical_suffix", False, False),
    ]
    return c, r
