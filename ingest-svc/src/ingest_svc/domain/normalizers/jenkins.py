"""Jenkins Notification plugin JSON: a build's phases; COMPLETED becomes a finished build (or deploy).

The plugin sends no build time in its documented example; when `build.timestamp` (ms) is absent the
arrival time stands in, the one place ingest uses it (see docs/ingest.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted
from ingest_svc.domain.normalizers import heuristics as h
from ingest_svc.domain.normalizers.cibuild import finished
from ingest_svc.domain.normalizers.fields import get, need, number, text, time_at

HANDLED = frozenset({"queued", "started", "completed", "finalized"})


def event_type(headers: dict[str, str], payload: Any) -> str:
    return (text(payload, "build", "phase") or "").lower()


def dedup_key(headers: dict[str, str], payload: Any) -> str | None:
    name, num, phase = (
        text(payload, "name"),
        text(payload, "build", "number"),
        text(payload, "build", "phase"),
    )
    return f"{name}#{num}:{phase}:{text(payload, 'build', 'status')}" if name and num and phase else None


def normalize(d: Delivery, catalog: Catalog) -> list[Emitted]:
    # One build sends COMPLETED then FINALIZED, both with the result; either makes the same event
    # (same id: JetStream drops the second), so a lost COMPLETED does not lose the build.
    if d.event_type not in ("completed", "finalized"):
        return []
    p = d.payload
    b = get(p, "build")
    job = need(p, "name")
    num = need(b, "number")
    repo = h.repository_of_url(text(b, "scm", "url"))
    started = time_at(b, "timestamp")
    duration = number(b, "duration")
    ended = started + timedelta(milliseconds=duration) if started and duration is not None else None
    branch = h.branch_name(text(b, "scm", "branch"))
    return finished(
        d,
        provider="jenkins",
        kind="job",
        external_id=f"{job}#{num}",
        name=job,
        status=h.ci_status(text(b, "status")),
        occurred_at=ended or started or d.received_at,
        owner=catalog.owner(repository=repo, app=job),
        repository=repo,
        branch=branch,
        sha=text(b, "scm", "commit"),
        started_at=started,
        finished_at=ended,
        url=text(b, "full_url"),
    )
