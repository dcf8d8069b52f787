"""AWS CloudWatch alarms, via SNS (the alarm as a JSON string in the Notification's Message; alerta's
captured delivery, aws-lambda-go's testdata shape with AlarmArn) or EventBridge ("CloudWatch Alarm
State Change", CloudWatch User Guide "Alarm events and EventBridge").

Severity: CloudWatch has none; teams write it into the alarm name (`api-5xx-critical`,
`P1-checkout-latency`, `[SEV2] ...`) or the description (`Severity: low`), else an ALARM is high.
Words like High/Low in a name describe the metric (`LowDiskSpace`, `HighCPU`), not a severity.
Identity: the alarm ARN (account + region + name); older SNS messages carry no AlarmArn, only the
account id, the region's display name and the topic ARN. StateChangeTime, NewStateReason (values)
and the SNS MessageId change per notification.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from .model import Case, Expect, Relation, fixture

FIX = "aws_sns/Notification.cloudwatch_alarm.json"
EVENTBRIDGE_FIX = "aws_eventbridge/cloudwatch_alarm_state_change.alarm.json"
H_SNS = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"}
H_EB = {"Content-Type": "application/json"}
REGIONS = {"eu-west-1": "EU (Ireland)", "us-east-1": "US East (N. Virginia)"}


def sns(
    name: str = "bucketbytesAlarm",
    state: str = "ALARM",
    old: str = "OK",
    description: str | None = "bucket bytes size exceeded",
    account: str = "1234567890",
    region: str = "eu-west-1",
    arn: bool = False,
    when: str = "2019-02-15T23:53:45.093+0000",
    reading: str = "1062305.0",
    message_id: str | None = None,
) -> dict[str, Any]:
    body = fixture(FIX)
    # Every SNS message has its own MessageId.
    message_id = message_id or str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{state}/{account}/{region}/{when}/{description}")
    )
    message = json.loads(body["Message"])
    message.update(
        AlarmName=name,
        AlarmDescription=description,
        AWSAccountId=account,
        NewStateValue=state,
        OldStateValue=old,
        NewStateReason=f"Threshold Crossed: 1 datapoint [{reading} (14/02/19 23:53:00)] was greater than or equal to the threshold (0.0).",
        StateChangeTime=when,
        Region=REGIONS[region],
    )
    if arn:
        message["AlarmArn"] = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    topic = f"arn:aws:sns:{region}:{account}:alerts"
    body.update(
        Message=json.dumps(message),
        MessageId=message_id,
        TopicArn=topic,
        Subject=f'{state}: "{name}" in {REGIONS[region]}',
        SigningCertURL=f"https://sns.{region}.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem",
        UnsubscribeURL=f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:6590056b",
    )
    return body


EVENTBRIDGE: dict[str, Any] = fixture(EVENTBRIDGE_FIX)


def eventbridge(
    name: str = "ServerCpuTooHigh",
    state: str = "ALARM",
    description: str | None = None,
    account: str = "123456789012",
    region: str = "us-east-1",
    event_id: str | None = None,
    dimensions: dict[str, str] | None = None,
) -> dict[str, Any]:
    e = copy.deepcopy(EVENTBRIDGE)
    e.update(
        account=account, region=region, resources=[f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"]
    )
    e["id"] = event_id or str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{state}/{account}/{region}/{description}")
    )
    e["detail"]["alarmName"] = name
    e["detail"]["state"]["value"] = state
    if description is not None:
        e["detail"]["configuration"]["description"] = description
    if dimensions is not None:
        e["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = dimensions
    return e


def _arn(name: str, account: str = "1234567890", region: str = "eu-west-1") -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


def cases() -> tuple[list[Case], list[Relation]]:
    out = [
        Case(
            "cw.fixture.sns",
            "cloudwatch",
            fixture(FIX),
            Expect("high", None, "bucketbytesAlarm", None, "firing"),
            H_SNS,
            note="2019 SNS message without AlarmArn",
        ),
        Case(
            "cw.sns.arn",
            "cloudwatch",
            sns(arn=True),
            Expect("high", _arn("bucketbytesAlarm"), "bucketbytesAlarm", None, "firing"),
            H_SNS,
        ),
        Case(
            "cw.sns.ok",
            "cloudwatch",
            sns(
                state="OK",
                old="ALARM",
                when="2019-02-16T01:10:45.093+0000",
                reading="12.0",
                message_id="0b7e1f2a-1111-5be4-8fde-dccc11c8cb01",
            ),
            Expect(alert_name="bucketbytesAlarm", status="resolved"),
            H_SNS,
        ),
        Case(
            "cw.sns.insufficient",
            "cloudwatch",
            sns(state="INSUFFICIENT_DATA", old="ALARM"),
            Expect(status="resolved"),
            H_SNS,
        ),
        Case(
            "cw.sns.realarm",
            "cloudwatch",
            sns(
                when="2019-02-17T08:00:00.000+0000",
                reading="2062305.0",
                message_id="7f1e2d3c-2222-5be4-8fde-dccc11c8cb01",
            ),
            Expect("high", status="firing"),
            H_SNS,
        ),
        Case(
            "cw.sns.other_account",
            "cloudwatch",
            sns(account="210987654321"),
            Expect(alert_name="bucketbytesAlarm"),
            H_SNS,
        ),
        Case(
            "cw.sns.other_region",
            "cloudwatch",
            sns(region="us-east-1"),
            Expect(alert_name="bucketbytesAlarm"),
            H_SNS,
        ),
        Case(
            "cw.sns.other_alarm",
            "cloudwatch",
            sns(name="bucketobjectsAlarm"),
            Expect(alert_name="bucketobjectsAlarm"),
            H_SNS,
        ),
        Case(
            "cw.eb.base",
            "cloudwatch",
            eventbridge(),
            Expect("high", EVENTBRIDGE["resources"][0], "ServerCpuTooHigh", None, "firing"),
            H_EB,
            note="the description says 'too high!': not a severity",
        ),
        Case(
            "cw.eb.ok",
            "cloudwatch",
            eventbridge(state="OK", event_id="d1f0c2a3-0000-4000-8000-000000000001"),
            Expect(external_id=EVENTBRIDGE["resources"][0], status="resolved"),
            H_EB,
        ),
        Case(
            "cw.eb.other_region",
            "cloudwatch",
            eventbridge(region="eu-west-1"),
            Expect(external_id="arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ServerCpuTooHigh"),
            H_EB,
        ),
        Case(
            "cw.eb.same_alarm_as_sns",
            "cloudwatch",
            eventbridge(name="bucketbytesAlarm", account="1234567890", region="eu-west-1"),
            Expect(external_id=_arn("bucketbytesAlarm")),
            H_EB,
        ),
    ]
    # Severity written into names and descriptions.
    for i, (name, level) in enumerate(
        [
            ("api-5xx-critical", "critical"),
            ("checkout-latency-CRITICAL", "critical"),
            ("prod-db-cpu-warning", "medium"),
            ("P1-checkout-latency", "critical"),
            ("checkout-latency-p3", "medium"),
            ("[SEV2] queue depth", "high"),
            ("sev1_payments_errors", "critical"),
            ("orders-dlq-not-empty-P4", "low"),
            ("LowDiskSpace", "high"),
            ("low-disk-space", "high"),
            ("HighCPUUtilization", "high"),
            ("api-p99-latency", "high"),
            ("warn-lambda-throttles", "medium"),
            ("info-nightly-batch-late", "low"),
        ]
    ):
        out.append(
            Case(
                f"cw.name.{i:02d}",
                "cloudwatch",
                sns(name=name, arn=True),
                Expect(level, _arn(name), name),
                H_SNS,
                note=name,
            )
        )
    for i, (desc, level) in enumerate(
        [
            ("Severity: low. Disk usage above 80%", "low"),
            ("severity=critical; owner=payments", "critical"),
            ("[P2] 5xx above 1% for 5 minutes", "high"),
            ("Priority: P4 - nightly job late", "low"),
            ("Goes into alarm when latency is too high", "high"),
            ("SEV3: replica lag above 30s", "medium"),
        ]
    ):
        out.append(
            Case(
                f"cw.desc.{i:02d}",
                "cloudwatch",
                sns(name=f"alarm-{i}", description=desc, arn=True),
                Expect(level, _arn(f"alarm-{i}")),
                H_SNS,
                note=desc,
            )
        )
    out += [
        Case(
            "cw.eb.desc_critical",
            "cloudwatch",
            eventbridge(name="OrdersApi5xx", description="Severity: critical - page on-call"),
            Expect("critical"),
            H_EB,
        ),
        Case(
            "cw.eb.name_warning",
            "cloudwatch",
            eventbridge(name="orders-api-latency-warning"),
            Expect("medium"),
            H_EB,
        ),
    ]
    rel = [
        Relation("cw.rel.ok_same", "cw.fixture.sns", "cw.sns.ok", True, True),
        Relation("cw.rel.insufficient_same", "cw.fixture.sns", "cw.sns.insufficient", True, True),
        Relation("cw.rel.realarm_same", "cw.fixture.sns", "cw.sns.realarm", True, True),
        Relation(
            "cw.rel.arn_or_not",
            "cw.fixture.sns",
            "cw.sns.arn",
            True,
            True,
            "the same alarm with and without AlarmArn in the message",
        ),
        Relation("cw.rel.other_account", "cw.fixture.sns", "cw.sns.other_account", False, None),
        Relation("cw.rel.other_region", "cw.fixture.sns", "cw.sns.other_region", False, None),
        Relation("cw.rel.other_alarm", "cw.fixture.sns", "cw.sns.other_alarm", False, False),
        Relation("cw.rel.eb_ok", "cw.eb.base", "cw.eb.ok", True, True),
        Relation("cw.rel.eb_region", "cw.eb.base", "cw.eb.other_region", False, None),
        Relation(
            "cw.rel.eb_vs_sns",
            "cw.sns.arn",
            "cw.eb.same_alarm_as_sns",
            True,
            True,
            "one alarm reaching us over SNS and over EventBridge",
        ),
    ]
    return out, rel
