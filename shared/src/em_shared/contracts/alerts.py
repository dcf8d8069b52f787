"""Alert signals: one alert from one monitoring vendor, firing or resolved."""

from __future__ import annotations

from datetime import datetime

from em_shared.contracts.base import Event
from em_shared.contracts.ownership import Ownership


class AlertSignal(Event, frozen=True, kw_only=True):
    """`alert.signal.received`: the unit incident-svc dedups and groups.

    `external_id` is the vendor's own id of the problem (PagerDuty incident id, Sentry issue id,
    Datadog monitor+group, New Relic issue id, CloudWatch alarm ARN, Alertmanager fingerprint);
    `fingerprint` is a stable hash of identifying fields (never of volatile ones). `status` is
    firing | resolved; `reported_severity` is the vendor's raw value, mapped by incident-svc.
    """

    vendor: str
    external_id: str
    fingerprint: str
    status: str
    title: str
    reported_severity: str | None = None
    alert_name: str | None = None
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    description: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    url: str | None = None
    # The vendor's own incident state when it has one (acknowledged in PagerDuty, say).
    vendor_state: str | None = None
    owner: Ownership = Ownership()
