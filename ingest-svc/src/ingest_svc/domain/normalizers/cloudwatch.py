"""CloudWatch alarms via SNS (classic alarm JSON) or EventBridge ("CloudWatch Alarm State Change")."""

from __future__ import annotations

from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import aws, severity_hints
from ingest_svc.domain.normalizers.alerting import alert
from ingest_svc.domain.normalizers.fields import first_time, get, items, need, text, time_at

HANDLED = frozenset(
    {
        "sns:SubscriptionConfirmation",
        "sns:UnsubscribeConfirmation",
        "alarm",
        "eventbridge:CloudWatch Alarm State Change",
    }
)


def event_type(headers: dict[str, str], payload: Any) -> str:
    return aws.event_type(payload)


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    return aws.dedup_key(headers, payload)


def _status(state: str) -> str:
    """Only ALARM is a problem. INSUFFICIENT_DATA means the alarm left ALARM (or never reached it): a
    new alarm starts there, and ALARM -> INSUFFICIENT_DATA ends the alarm state as OK does. Treating it
    as firing opened incidents for alarms being created and kept recovered ones open."""
    return "firing" if state == "ALARM" else "resolved"


def _metric(detail: Any) -> dict[str, str]:
    """Namespace, metric and dimensions of an EventBridge alarm's first metric (as the SNS form's Trigger)."""
    metric = get(detail, "configuration", "metrics", 0, "metricStat", "metric")
    if not isinstance(metric, dict):
        return {}
    dims = get(metric, "dimensions")
    return {
        "namespace": text(metric, "namespace") or "",
        "metric": text(metric, "name") or "",
        **({str(k): str(v) for k, v in dims.items()} if isinstance(dims, dict) else {}),
    }


def _alarm_arn(envelope: Any, body: Any, name: str) -> str:
    """The alarm's ARN. SNS messages before AlarmArn existed carry the account and the region's display
    name only; the topic is in the alarm's region (alarm actions cannot cross regions), so its ARN gives
    the region code, and the alarm keeps one identity however it reaches us (EventBridge, newer SNS)."""
    if arn := text(body, "AlarmArn"):
        return arn
    account = text(body, "AWSAccountId")
    topic = (text(envelope, "TopicArn") or "").split(":")
    if account and len(topic) >= 6 and topic[0] == "arn" and topic[3]:
        return f"arn:{topic[1]}:cloudwatch:{topic[3]}:{account}:alarm:{name}"
    return f"{account}:{text(body, 'Region')}:{name}"


def _severity(name: str, description: str | None, state: str) -> str:
    """A severity the team wrote into the alarm's name or description, else the alarm state."""
    return severity_hints.in_name(name) or severity_hints.in_text(description) or state


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    if d.event_type.startswith("sns:"):
        return []  # confirmations are handled by the relay (it visits SubscribeURL), they carry no alert
    body = aws.inner(d.payload)
    if d.event_type == "alarm":
        name = need(body, "AlarmName")
        arn = _alarm_arn(d.payload, body, name)
        state = text(body, "NewStateValue") or ""
        occurred = first_time(time_at(body, "StateChangeTime"), time_at(d.payload, "Timestamp"))
        dims = {
            str(x.get("name")): str(x.get("value"))
            for x in items(body, "Trigger", "Dimensions")
            if isinstance(x, dict)
        }
        labels = {
            "namespace": text(body, "Trigger", "Namespace") or "",
            "metric": text(body, "Trigger", "MetricName") or "",
            "region": text(body, "Region") or "",
            **dims,
        }
        return [
            alert(
                d,
                vendor="cloudwatch",
                external_id=arn,
                status=_status(state),
                title=text(d.payload, "Subject") or name,
                occurred_at=occurred,
                reported_severity=_severity(name, text(body, "AlarmDescription"), state),
                alert_name=name,
                labels={k: v for k, v in labels.items() if v},
                description=text(body, "NewStateReason") or text(body, "AlarmDescription"),
                started_at=occurred if state == "ALARM" else None,
                ended_at=occurred if state != "ALARM" else None,
                vendor_state=state,
                owner=catalog.owner(monitor=name, labels=dims),
            )
        ]
    detail = get(body, "detail")
    name = need(detail, "alarmName")
    arn = text(body, "resources", 0) or name
    state = text(detail, "state", "value") or ""
    occurred = first_time(time_at(detail, "state", "timestamp"), time_at(body, "time"))
    metric = _metric(detail)
    return [
        alert(
            d,
            vendor="cloudwatch",
            external_id=arn,
            status=_status(state),
            title=text(detail, "configuration", "description") or name,
            occurred_at=occurred,
            reported_severity=_severity(name, text(detail, "configuration", "description"), state),
            alert_name=name,
            labels={k: v for k, v in {"region": text(body, "region") or "", **metric}.items() if v},
            description=text(detail, "state", "reason"),
            started_at=occurred if state == "ALARM" else None,
            ended_at=occurred if state != "ALARM" else None,
            vendor_state=state,
            owner=catalog.owner(monitor=name, labels=metric),
        )
    ]
