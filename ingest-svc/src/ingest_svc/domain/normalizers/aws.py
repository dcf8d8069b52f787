"""AWS envelopes shared by CloudWatch and ECS: SNS (Message is a JSON string) or a raw EventBridge event."""

from __future__ import annotations

from typing import Any

import msgspec

from ingest_svc.domain.normalizers.fields import text

SNS_CONTROL = ("SubscriptionConfirmation", "UnsubscribeConfirmation")


def inner(payload: Any) -> Any:
    """The event inside an SNS Notification (decoded when it is JSON), or the payload itself."""
    if text(payload, "Type") == "Notification" and "TopicArn" in payload:
        message = text(payload, "Message") or ""
        try:
            return msgspec.json.decode(message)
        except msgspec.DecodeError:
            return message
    return payload


def event_type(payload: Any) -> str:
    """`sns:SubscriptionConfirmation`, `alarm`, `eventbridge:<detail-type>` or `sns:text`."""
    kind = text(payload, "Type")
    if kind in SNS_CONTROL and "TopicArn" in payload:
        return f"sns:{kind}"
    body = inner(payload)
    if isinstance(body, dict):
        if "AlarmName" in body:
            return "alarm"
        if detail := text(body, "detail-type"):
            return f"eventbridge:{detail}"
    return "sns:text"


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    if "TopicArn" in (payload if isinstance(payload, dict) else {}):
        return text(payload, "MessageId")
    return text(payload, "id")
