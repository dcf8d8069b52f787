"""Grouping keys: which alerts belong to one incident while it is open (Alertmanager's group_by).

Default group_by is service + alert name; a per-source or per-service override may name other
fields. An alert lacking a grouping field gets a key of its own (its dedup key), so two unrelated
alerts never share an incident because both lacked a service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GroupingRules:
    default: tuple[str, ...] = ("service", "alert_name")
    by_source: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    by_service: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def fields_for(self, vendor: str, service: str | None) -> tuple[str, ...]:
        """A service override beats a source override beats the default."""
        if service and service in self.by_service:
            return self.by_service[service]
        return self.by_source.get(vendor, self.default)


def parse_overrides(spec: str) -> dict[str, tuple[str, ...]]:
    """`alertmanager=service,alert_name,label:cluster;sentry=service,external_id` -> dict."""
    out: dict[str, tuple[str, ...]] = {}
    for item in (s.strip() for s in spec.split(";")):
        if not item:
            continue
        name, sep, fields = item.partition("=")
        parsed = parse_fields(fields)
        if not sep or not name.strip() or not parsed:
            raise ValueError(f"grouping override {item!r}: expected name=field,field")
        out[name.strip()] = parsed
    return out


def parse_fields(spec: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in spec.split(",") if f.strip())


def group_key(
    fields: Sequence[str], values: Mapping[str, str | None], labels: Mapping[str, str], fallback: str
) -> str:
    """`service=checkout|alert_name=HighErrorRate`; the fallback key when any field is missing."""
    parts = []
    for name in fields:
        value = labels.get(name[6:]) if name.startswith("label:") else values.get(name)
        if value is None or value == "":
            return f"alert={fallback}"
        parts.append(f"{name}={value}")
    return "|".join(parts)
