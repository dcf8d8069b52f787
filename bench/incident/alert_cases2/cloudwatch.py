"""CloudWatch alarms (docs.aws.amazon.com CloudWatch "Using Amazon CloudWatch alarms", "Alarm events
and EventBridge", "Combining alarms" and SNS "HTTP/HTTPS Notification JSON Format"): over SNS the
alarm is a JSON string in `Message` (`AlarmName`, `AlarmArn`, `NewStateValue`, `Trigger` or, for a
composite alarm, `AlarmRule` and `TriggeringChildren`); over EventBridge it is `detail` of a
"CloudWatch Alarm State Change" event (`alarmName`, `state.value`, `resources[0]` the ARN). ALARM
fires, OK/INSUFFICIENT_DATA resolve; identity is the alarm ARN; severity is what the alarm's name or
description states, else ALARM's default."""

from __future__ import annotations

import json
from typing import Any

from alert_cases.model import Case, Expect, Relation

ACCOUNT, REGION, TOPIC = "210987654321", "eu-west-1", "arn:aws:sns:eu-west-1:210987654321:ops-alarms"


def arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"


def metric_message(
    name: str, state: str, *, old: str = "OK", description: str | None = None, with_arn: bool = True
) -> dict[str, Any]:
    m: dict[str, Any] = {
        "AlarmName": name,
        "AlarmDescription": description,
        "AWSAccountId": ACCOUNT,
        "AlarmConfigurationUpdatedTimestamp": "2024-05-30T08:00:00.000+0000",
        "NewStateValue": state,
        "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [93.1 (01/06/24 10:00:00)] was "
        "greater than the threshold (90.0) (minimum 1 datapoint for OK -> ALARM transition).",
        "StateChangeTime": "2024-06-01T10:01:00.123+0000",
        "Region": "EU (Ireland)",
        "OldStateValue": old,
        "OKActions": [TOPIC],
        "AlarmActions": [TOPIC],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/ECS",
            "StatisticType": "Statistic",
            "Statistic": "AVERAGE",
            "Unit": None,
            "Dimensions": [
                {"value": "prod", "name": "ClusterName"},
                {"value": "checkout", "name": "ServiceName"},
            ],
            "Period": 60,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 90.0,
            "TreatMissingData": "missing",
            "EvaluateLowSampleCountPercentile": "",
        },
    }
    if with_arn:
        m["AlarmArn"] = arn(name)
    return m


def composite_message(name: str, state: str, *, description: str | None = None) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmDescription": description,
        "AWSAccountId": ACCOUNT,
        "AlarmConfigurationUpdatedTimestamp": "2024-05-30T08:00:00.000+0000",
        "NewStateValue": state,
        "NewStateReason": f"{arn('api-5xx')} transitioned to ALARM at Saturday 01 June, 2024 10:00:00 UTC",
        "StateChangeTime": "2024-06-01T10:02:00.000+0000",
        "Region": "EU (Ireland)",
        "AlarmArn": arn(name),
        "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        "OKActions": [TOPIC],
        "AlarmActions": [TOPIC],
        "InsufficientDataActions": [],
        "AlarmRule": f'ALARM("{arn("api-5xx")}") AND ALARM("{arn("api-latency")}")',
        "TriggeringChildren": [
            {"Arn": arn("api-5xx"), "State": {"Value": "ALARM", "Timestamp": "2024-06-01T10:00:00.000+0000"}}
        ],
    }


_sns = [0]


def sns(message: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    _sns[0] += 1
    mid = f"5d1c2b3a-{_sns[0]:04d}-4f00-9a00-0000000000aa"
    body = {
        "Type": "Notification",
        "MessageId": mid,
        "TopicArn": TOPIC,
        "Subject": f'{message["NewStateValue"]}: "{message["AlarmName"]}" in EU (Ireland)',
        "Message": json.dumps(message),
        "Timestamp": "2024-06-01T10:01:01.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+...",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        "UnsubscribeURL": f"https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:x",
    }
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": mid,
        "x-amz-sns-topic-arn": TOPIC,
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    return body, headers


_eb = [0]


def eventbridge(
    name: str, state: str, *, previous: str = "OK", description: str | None = None, composite: bool = False
) -> dict[str, Any]:
    _eb[0] += 1
    config: dict[str, Any] = {"description": description} if description else {}
    if composite:
        config["alarmRule"] = f'ALARM("{arn("api-5xx")}") AND ALARM("{arn("api-latency")}")'
    else:
        config["metrics"] = [
            {
                "id": "m1",
                "metricStat": {
                    "metric": {
                        "namespace": "AWS/ApplicationELB",
                        "name": "HTTPCode_Target_5XX_Count",
                        "dimensions": {"LoadBalancer": "app/public/abc"},
                    },
                    "period": 60,
                    "stat": "Sum",
                },
                "returnData": True,
            }
        ]
    return {
        "version": "0",
        "id": f"c4c1c1c9-6542-e61b-6ef0-8c4d36933a{_eb[0]:02d}",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": "2024-06-01T10:05:00Z",
        "region": REGION,
        "resources": [arn(name)],
        "detail": {
            "alarmName": name,
            "configuration": config,
            "previousState": {
                "value": previous,
                "reason": "prior",
                "timestamp": "2024-06-01T09:00:00.000+0000",
            },
            "state": {
                "value": state,
                "reason": "Threshold Crossed",
                "timestamp": "2024-06-01T10:05:00.000+0000",
            },
        },
    }


EB = {"Content-Type": "application/json"}


def cases() -> tuple[list[Case], list[Relation]]:
    out: list[Case] = []

    def add_sns(cid: str, msg: dict[str, Any], expect: Expect, note: str = "") -> None:
        body, headers = sns(msg)
        out.append(Case(cid, "cloudwatch", body, expect, headers, note=note))

    add_sns(
        "cw2.sns.alarm.plain",
        metric_message("checkout-cpu-high", "ALARM"),
        Expect("high", arn("checkout-cpu-high"), "checkout-cpu-high", status="firing"),
    )
    add_sns(
        "cw2.sns.ok.plain",
        metric_message("checkout-cpu-high", "OK", old="ALARM"),
        Expect(None, arn("checkout-cpu-high"), "checkout-cpu-high", status="resolved"),
    )
    add_sns(
        "cw2.sns.alarm.name_critical",
        metric_message("payments-5xx-critical", "ALARM"),
        Expect("critical", arn("payments-5xx-critical"), "payments-5xx-critical", status="firing"),
    )
    add_sns(
        "cw2.sns.alarm.desc_sev",
        metric_message("orders-queue-age", "ALARM", description="Orders queue too old. Severity: Low"),
        Expect("low", arn("orders-queue-age"), status="firing"),
    )
    add_sns(
        "cw2.sns.alarm.desc_p1",
        metric_message(
            "login-errors", "ALARM", description="P1 - customers cannot log in. Runbook: wiki/login"
        ),
        Expect("critical", arn("login-errors"), status="firing"),
    )
    add_sns(
        "cw2.sns.insufficient",
        metric_message("checkout-cpu-high", "INSUFFICIENT_DATA", old="ALARM"),
        Expect(None, arn("checkout-cpu-high"), status="resolved"),
    )
    add_sns(
        "cw2.sns.no_arn",
        metric_message("legacy-disk-usage", "ALARM", with_arn=False),
        Expect("high", arn("legacy-disk-usage"), "legacy-disk-usage", status="firing"),
        note="older message without AlarmArn: built from account, topic region, name",
    )
    add_sns(
        "cw2.sns.composite.alarm",
        composite_message("api-degraded-composite", "ALARM", description="severity=critical"),
        Expect("critical", arn("api-degraded-composite"), "api-degraded-composite", status="firing"),
    )
    add_sns(
        "cw2.sns.composite.ok",
        composite_message("api-degraded-composite", "OK"),
        Expect(None, arn("api-degraded-composite"), "api-degraded-composite", status="resolved"),
    )
    add_sns(
        "cw2.sns.name_sev2",
        metric_message("[SEV2] search-latency-p99", "ALARM"),
        Expect("high", arn("[SEV2] search-latency-p99"), status="firing"),
    )
    add_sns(
        "cw2.sns.name_high_is_metric",
        metric_message("HighMemoryUtilization-cart", "ALARM"),
        Expect("high", arn("HighMemoryUtilization-cart"), status="firing"),
        note="`High` names the metric, the ALARM default applies",
    )
    add_sns(
        "cw2.sns.name_lowdisk_warning",
        metric_message("low-disk-space-warning", "ALARM"),
        Expect("medium", arn("low-disk-space-warning"), status="firing"),
    )
    out += [
        Case(
            "cw2.eb.alarm",
            "cloudwatch",
            eventbridge("checkout-cpu-high", "ALARM"),
            Expect("high", arn("checkout-cpu-high"), "checkout-cpu-high", status="firing"),
            EB,
        ),
        Case(
            "cw2.eb.ok",
            "cloudwatch",
            eventbridge("api-5xx-count", "OK", previous="ALARM"),
            Expect(None, arn("api-5xx-count"), "api-5xx-count", status="resolved"),
            EB,
        ),
        Case(
            "cw2.eb.alarm.desc_warning",
            "cloudwatch",
            eventbridge("api-5xx-count", "ALARM", description="Severity: warning - 5xx above 1%"),
            Expect("medium", arn("api-5xx-count"), "api-5xx-count", status="firing"),
            EB,
        ),
        Case(
            "cw2.eb.composite.alarm",
            "cloudwatch",
            eventbridge("api-degraded-composite", "ALARM", composite=True, description="severity=critical"),
            Expect("critical", arn("api-degraded-composite"), "api-degraded-composite", status="firing"),
            EB,
        ),
        Case(
            "cw2.eb.insufficient_from_ok",
            "cloudwatch",
            eventbridge("batch-heartbeat", "INSUFFICIENT_DATA", previous="OK"),
            Expect(None, arn("batch-heartbeat"), status="resolved"),
            EB,
        ),
    ]
    r = [
        Relation("cw2.r.sns_alarm_ok", "cw2.sns.alarm.plain", "cw2.sns.ok.plain", True, True),
        Relation("cw2.r.sns_alarm_insufficient", "cw2.sns.alarm.plain", "cw2.sns.insufficient", True, True),
        Relation(
            "cw2.r.sns_vs_eb",
            "cw2.sns.alarm.plain",
            "cw2.eb.alarm",
            True,
            True,
            note="one alarm through SNS and EventBridge",
        ),
        Relation("cw2.r.composite_fire_ok", "cw2.sns.composite.alarm", "cw2.sns.composite.ok", True, True),
        Relation("cw2.r.composite_sns_eb", "cw2.sns.composite.alarm", "cw2.eb.composite.alarm", True, True),
        Relation("cw2.r.eb_ok_alarm", "cw2.eb.ok", "cw2.eb.alarm.desc_warning", True, True),
        Relation("cw2.r.diff_alarms", "cw2.sns.alarm.plain", "cw2.sns.alarm.name_critical", False, False),
    ]
    return out, r
