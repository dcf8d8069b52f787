"""Alert identity: Alertmanager's own fingerprint, and a documented field-based one for the rest.

Alertmanager identifies an alert by `model.LabelSet.Fingerprint()` (prometheus/common): FNV-1a 64
over the label names in sorted order, each name and value followed by the separator byte 0xff,
printed as 16 lower-case hex digits. We reproduce it byte for byte so our dedup key equals the
`fingerprint` Alertmanager puts in its own webhook payloads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

_FNV_OFFSET64 = 14695981039346656037
_FNV_PRIME64 = 1099511628211
_MASK64 = 0xFFFFFFFFFFFFFFFF
_SEPARATOR = b"\xff"

# Labels and fields that change between repeats of one problem: never part of an identity.
VOLATILE_LABELS = frozenset(
    {
        "value",
        "values",
        "current_value",
        "timestamp",
        "time",
        "date",
        "last_updated",
        "count",
        "counter",
        "occurrences",
        "event_id",
        "request_id",
        "trace_id",
        "startsat",
        "endsat",
        "duration",
    }
)


def alertmanager_fingerprint(labels: Mapping[str, str]) -> str:
    """model.LabelSet.Fingerprint() rendered like Alertmanager does (`%016x`)."""
    h = _FNV_OFFSET64
    for name in sorted(labels):
        for chunk in (name.encode(), _SEPARATOR, labels[name].encode(), _SEPARATOR):
            for byte in chunk:
                h = ((h ^ byte) * _FNV_PRIME64) & _MASK64
    return f"{h:016x}"


def identity_fingerprint(
    vendor: str, fields: Iterable[str], values: Mapping[str, str | None], labels: Mapping[str, str]
) -> str:
    """sha256 over the configured identifying fields of one alert (never a title alone).

    `fields` names attributes (`alert_name`, `service`, `environment`, `external_id`) or labels
    (`label:<name>`), or `labels` for every non-volatile label. Missing fields hash as empty.
    """
    parts = [f"vendor={vendor}"]
    for name in fields:
        if name == "labels":
            parts.extend(
                f"label:{k}={v}" for k, v in sorted(labels.items()) if k.lower() not in VOLATILE_LABELS
            )
        elif name.startswith("label:"):
            parts.append(f"{name}={labels.get(name[6:], '')}")
        else:
            parts.append(f"{name}={values.get(name) or ''}")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
