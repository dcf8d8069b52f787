"""Map each vendor's reported severity to critical / high / medium / low (shown as SEV1-SEV4).

The mapping is data: a built-in default (severity.yaml beside this package) that a YAML file named
by INCIDENT_SEVERITY_MAP replaces per vendor. This is the *reported* severity; the AI triage's
assessed severity is kept in a separate field and never overwrites it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from incident_svc.domain.severity_words import compact, level_of

SEVERITIES = ("critical", "high", "medium", "low")
SEV_LABEL = {"critical": "SEV1", "high": "SEV2", "medium": "SEV3", "low": "SEV4"}
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def sev_label(severity: str) -> str:
    return SEV_LABEL[severity]


def more_severe(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


def rank(severity: str) -> int:
    """0 = critical ... 3 = low."""
    return _RANK[severity]


@dataclass(frozen=True)
class SeverityMap:
    """vendor -> {raw value (lower-cased) -> level}, plus a per-vendor default for unknown values."""

    vendors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default: str = "medium"

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> SeverityMap:
        """Validate a parsed YAML document: every target must be one of the four levels."""
        default = str(data.get("default", "medium"))
        if default not in SEVERITIES:
            raise ValueError(f"severity map: default {default!r} is not one of {SEVERITIES}")
        vendors: dict[str, dict[str, str]] = {}
        for vendor, table in dict(data.get("vendors", {}) or {}).items():  # type: ignore[call-overload]
            if not isinstance(table, Mapping):
                raise ValueError(f"severity map: vendors.{vendor} must be a mapping")
            rows: dict[str, str] = {}
            for raw, level in table.items():
                if str(level) not in SEVERITIES:
                    raise ValueError(
                        f"severity map: vendors.{vendor}.{raw} -> {level!r} is not one of {SEVERITIES}"
                    )
                rows[str(raw).strip().lower()] = str(level)
            vendors[str(vendor).lower()] = rows
        return cls(vendors, default)

    def map(self, vendor: str, reported: str | None, labels: Mapping[str, str] | None = None) -> str:
        """The level for one alert: the vendor field, else a `severity` or `priority` label/tag.

        Each value is looked up in the vendor's table (as sent, then with numbered forms joined:
        `SEV-1` -> `sev1`), then read with the shared vocabulary (`crit`, `P1`, `Sev 2`, `1`); a
        value that names no level passes to the next one (`$PRIORITY` "normal" is no severity).
        """
        table = self.vendors.get(vendor.lower(), {})
        candidates = [reported, (labels or {}).get("severity"), (labels or {}).get("priority")]
        for raw in candidates:
            if raw is None or not str(raw).strip():
                continue
            text = str(raw)
            for key in dict.fromkeys((text.strip().lower(), compact(text))):
                if key in table:
                    return table[key]
            if level := level_of(text):
                return level
        return table.get("default", self.default)
