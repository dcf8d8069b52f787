"""What a labelled alert case is: one vendor delivery, the facts incident-svc should read out of it,
and pairwise truths (same alert? same incident group?) between deliveries.

Expectations are written from the vendors' documentation and published payloads, not from our code:
a field left `None` is not scored (the docs do not pin it down), `NO_SERVICE` means no service.
"""

from __future__ import annotations

import copy
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "webhooks"
NO_SERVICE = "<none>"
LEVELS = ("critical", "high", "medium", "low")


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of a real fixture's body (the cases mutate their copy)."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text())["body"])


def headers_of(name: str) -> dict[str, str]:
    return dict(json.loads((FIXTURES / name).read_text()).get("headers", {}))


@dataclass(frozen=True)
class Expect:
    severity: str | None = None
    external_id: str | None = None
    alert_name: str | None = None
    service: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    body: Any
    expect: Expect = Expect()
    headers: dict[str, str] = field(default_factory=dict)
    index: int = 0  # which alert of the delivery (Alertmanager groups hold several)
    note: str = ""


@dataclass(frozen=True)
class Relation:
    """Two cases that are (or are not) the same vendor problem, and (or not) one incident group."""

    id: str
    a: str
    b: str
    same_alert: bool | None = None
    same_group: bool | None = None
    note: str = ""


def collect(vendors: tuple[Any, ...]) -> tuple[list[Case], list[Relation]]:
    """Every vendor module's cases and relations, checked: ids unique, relations naming known cases."""
    cases: list[Case] = []
    relations: list[Relation] = []
    for vendor in vendors:
        c, r = vendor.cases()
        cases += c
        relations += r
    ids = [c.id for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate case ids: {sorted(dupes)}")
    missing = {x for r in relations for x in (r.a, r.b)} - set(ids)
    if missing:
        raise ValueError(f"relations name unknown cases: {sorted(missing)}")
    return cases, relations


def split_of(key: str) -> str:
    """dev or test, stable per case/relation id: fixes are made looking at dev failures only."""
    return "dev" if zlib.crc32(key.encode()) % 2 == 0 else "test"


def am_fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager's model.LabelSet.Fingerprint (FNV-1a 64, sorted names, 0xff separators), written
    here from prometheus/common's definition so the check does not reuse the system's own copy."""
    h = 0xCBF29CE484222325
    for name in sorted(labels):
        for byte in name.encode() + b"\xff" + labels[name].encode() + b"\xff":
            h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"
