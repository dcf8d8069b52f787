"""Performance levels with the thresholds of the 2024 Accelerate State of DevOps report (DORA).

The report describes four clusters (elite, high, medium, low) by typical values rather than
thresholds; docs/metrics.md explains the bands derived from them, notably for the change failure
rate, whose 2024 clusters are not monotone (medium 10 % < high 20 %). The 2025 report dropped the
tiers; we keep the 2024 ones and label them so (`model`).
"""

from __future__ import annotations

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY
MONTH = 30 * DAY

MODEL = "dora-2024"
ORDER = ("low", "medium", "high", "elite")


def deployment_frequency_level(per_day: float | None) -> str | None:
    """Elite: on demand (at least daily); high: daily to weekly; medium: weekly to monthly; low: rarer."""
    if per_day is None:
        return None
    if per_day >= 1.0:
        return "elite"
    if per_day >= 1.0 / 7:
        return "high"
    if per_day >= 1.0 / 30:
        return "medium"
    return "low"


def lead_time_level(median_s: float | None) -> str | None:
    """Elite < 1 day; high < 1 week; medium < 1 month; low beyond."""
    if median_s is None:
        return None
    if median_s < DAY:
        return "elite"
    if median_s < WEEK:
        return "high"
    if median_s < MONTH:
        return "medium"
    return "low"


def change_failure_level(rate: float | None) -> str | None:
    """Elite <= 5 %; high <= 20 % (the 2024 medium cluster, 10 %, falls here); medium <= 30 %; low above
    (the 2024 low cluster sits at 40 %)."""
    if rate is None:
        return None
    if rate <= 0.05:
        return "elite"
    if rate <= 0.20:
        return "high"
    if rate <= 0.30:
        return "medium"
    return "low"


def recovery_level(median_s: float | None) -> str | None:
    """Elite < 1 hour; high < 1 day (2024's high and medium clusters both); medium < 1 week; low beyond."""
    if median_s is None:
        return None
    if median_s < HOUR:
        return "elite"
    if median_s < DAY:
        return "high"
    if median_s < WEEK:
        return "medium"
    return "low"


def overall_level(levels: list[str | None]) -> str | None:
    """The weakest known level: a team is as fast as its slowest key (None when nothing is known)."""
    known = [lv for lv in levels if lv is not None]
    if not known:
        return None
    return min(known, key=ORDER.index)
