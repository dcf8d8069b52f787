"""Semantic checks shared by HTTP and NATS (decoding already checked types): each failure is a 422
or 400 with a reason, never a 500."""

from __future__ import annotations

import uuid

from em_shared.messaging.errors import InvalidInput, Unprocessable

from incident_svc.domain import lifecycle, timeline
from incident_svc.domain.severity import SEVERITIES

MAX_LIMIT = 200


def check_severity(value: str, field: str = "severity") -> str:
    if value not in SEVERITIES:
        raise Unprocessable(
            f"{field} must be one of {', '.join(SEVERITIES)} (got {value!r})", {"field": field}
        )
    return value


def check_state(value: str, field: str = "state") -> str:
    if value not in lifecycle.STATES:
        raise Unprocessable(
            f"{field} must be one of {', '.join(lifecycle.STATES)} (got {value!r})", {"field": field}
        )
    return value


def check_via(value: str) -> str:
    if value not in timeline.VIAS:
        raise Unprocessable(
            f"via must be one of {', '.join(timeline.VIAS)} (got {value!r})", {"field": "via"}
        )
    return value


def check_limit(value: int) -> int:
    if not 1 <= value <= MAX_LIMIT:
        raise Unprocessable(f"limit must be between 1 and {MAX_LIMIT} (got {value})", {"field": "limit"})
    return value


def check_text(value: str | None, field: str) -> str | None:
    if value is not None and not value.strip():
        raise Unprocessable(f"{field} must not be blank", {"field": field})
    return value


def parse_ref(ref: str) -> str | int:
    """An incident is named by its uuid or its number."""
    ref = ref.strip()
    # ASCII only: str.isdigit() is also true of "²" and other digits int() refuses (a 500 before).
    if ref.isascii() and ref.isdigit() and len(ref) <= 15:
        return int(ref)
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        raise InvalidInput(
            f"incident id must be a UUID or an incident number (got {ref[:80]!r})", {"field": "id"}
        ) from None
