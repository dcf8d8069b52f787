"""The words that name a severity level in a vendor's severity field: one list for every service.

`AlertSignal.reported_severity` carries the vendor's raw word; incident-svc maps it to a level
(critical, high, medium, low), and ingest-svc decides which `severity:`/`priority:` tags hold one.
Both read this table, so a word one of them knows is never dropped or misread by the other.
"""

from __future__ import annotations

from em_shared.contracts.incidents import SEVERITIES

LEVELS = SEVERITIES
# Words seen in severity fields (Prometheus/mixin conventions, syslog names, Sentry levels,
# Zabbix's average/disaster, GitLab's Prometheus mapping). High/low also name metrics ("HighCPU"),
# but in a severity *field* they are the level. Syslog's `alert` (RFC 5424 level 1: "action must be
# taken immediately", between emerg and crit) is a level only in a field of a few words.
WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("critical", "crit", "fatal", "emergency", "emerg", "alert", "disaster", "blocker"), "critical"
    ),
    **dict.fromkeys(("high", "error", "err", "major", "urgent", "severe"), "high"),
    **dict.fromkeys(("medium", "med", "moderate", "warning", "warn", "minor", "average"), "medium"),
    **dict.fromkeys(
        ("low", "info", "informational", "information", "notice", "debug", "log", "none", "trivial"), "low"
    ),
}
# Numbered schemes agree that 1 is the most severe: P0/P1 and SEV0/SEV1 are critical, 2 high, 3
# medium, 4 and 5 low.
BY_NUMBER: dict[str, str] = {
    "0": "critical",
    "1": "critical",
    "2": "high",
    "3": "medium",
    "4": "low",
    "5": "low",
}
