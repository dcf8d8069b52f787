"""Reported severity -> level with the built-in map: each vendor's table first, then the vocabulary
teams use in free-text severity fields (any case, P/SEV numerals, `SEV-1`, `P3 - Moderate`), then
the vendor default. A value naming no level (`normal`, a sentence) gives way to the next field."""

from __future__ import annotations

import pytest
import yaml
from incident_svc.app import DEFAULT_SEVERITY_MAP
from incident_svc.domain.severity import SeverityMap
from incident_svc.domain.severity_words import compact, level_of

DEFAULT_MAP = SeverityMap.from_mapping(yaml.safe_load(DEFAULT_SEVERITY_MAP.read_text()))


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("CRITICAL", "critical"),
        ("crit", "critical"),
        ("Emergency", "critical"),
        ("alert", "critical"),  # syslog level 1, as Alertmanager labels spell it
        ("ALERT", "critical"),
        ("P0", "critical"),
        ("SEV-1", "critical"),
        ("Sev 1", "critical"),
        ("1", "critical"),
        ("s1", "critical"),
        ("p2", "high"),
        ("Major", "high"),
        ("priority: 2", "high"),
        ("P3 - Moderate", "medium"),
        ("warn", "medium"),
        ("sev_3", "medium"),
        ("P4", "low"),
        ("5", "low"),
        ("informational", "low"),
        ("notice", "low"),
        ("log", "low"),
        ("normal", None),
        ("P99", None),
        ("6", None),
        ("", None),
        ("this alert is not critical at all", None),
    ],
)
def test_shared_vocabulary(raw: str, level: str | None) -> None:
    assert level_of(raw) == level


def test_compact_joins_numbered_forms_only() -> None:
    assert compact(" SEV-1 ") == "sev1" and compact("Priority 2") == "priority2"
    assert compact("insufficient_data") == "insufficient_data" and compact("p99") == "p99"


@pytest.mark.parametrize(
    ("vendor", "raw", "labels", "level"),
    [
        ("pagerduty", "SEV-1", {}, "critical"),
        ("pagerduty", "Sev2", {}, "high"),
        ("pagerduty", "LOW", {}, "low"),
        ("sentry", "log", {}, "low"),
        ("sentry", "FATAL", {}, "critical"),
        ("alertmanager", "P2", {}, "high"),
        ("alertmanager", "emergency", {}, "critical"),
        ("alertmanager", "alert", {}, "critical"),
        ("alertmanager", "alerting", {}, "medium"),  # Grafana's state word names no level
        ("alertmanager", "Warning", {}, "medium"),
        ("alertmanager", None, {"priority": "P1"}, "critical"),
        ("newrelic", "WARNING", {}, "medium"),
        ("cloudwatch", "critical", {}, "critical"),
        ("cloudwatch", "INSUFFICIENT_DATA", {}, "low"),
        # An unrecognised value passes to the next field, then to the vendor default.
        ("datadog", "normal", {"severity": "sev1"}, "critical"),
        ("datadog", "normal", {}, "medium"),
        ("pagerduty", "whatever", {}, "high"),
    ],
)
def test_built_in_map_reads_team_conventions(
    vendor: str, raw: str | None, labels: dict[str, str], level: str
) -> None:
    assert DEFAULT_MAP.map(vendor, raw, labels) == level


def test_a_vendor_row_beats_the_shared_vocabulary_in_any_spelling() -> None:
    """An operator's YAML decides what their words mean: `warning: low` holds for `WARNING` too, and a
    `sev1` row applies to `SEV-1`."""
    custom = SeverityMap.from_mapping({"vendors": {"alertmanager": {"warning": "low", "sev1": "high"}}})
    assert custom.map("alertmanager", "WARNING") == "low"
    assert custom.map("alertmanager", "SEV-1") == "high"
    assert custom.map("alertmanager", "crit") == "critical"
