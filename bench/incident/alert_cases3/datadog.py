"""Datadog webhooks built from the real `monitor.triggered.json` fixture (our documented template,
docs/ingest.md). Edits per case: `$ALERT_PRIORITY` (P1-P5, or empty when the monitor has no priority,
as Datadog renders an unset variable), `$TAGS` with `severity:`/`sev:`/`priority:` tags in the
spellings teams use (Datadog lower-cases tags: `severity:sev-1`, `sev:2`, `severity:crit`,
`priority:p2`), `$ALERT_TYPE` error/warning/info/success, `$ALERT_TRANSITION` (Triggered, Warn,
No Data, Re-Triggered, Recovered), the event title's `[P1]` prefix, monitor id, scope and names.
Expected severity: docs/incidents.md (priority, else a severity tag, else the `[P1]` title prefix,
else the alert type)."""

from __future__ import annotations

from typing import Any

from alert_cases.model import Case, Expect, Relation, fixture, headers_of

FX = "datadog/monitor.triggered.json"
H = headers_of(FX)


def monitor(
    mid: str,
    *,
    priority: str = "",
    tags: str = "",
    alert_type: str = "error",
    transition: str = "Triggered",
    name: str = "High error rate on checkout",
    service: str = "checkout",
    prefix: str | None = None,
) -> dict[str, Any]:
    body = fixture(FX)
    scope = f"service:{service},env:prod"
    head = prefix if prefix is not None else (f"[{priority}] " if priority else "")
    body["title"] = f"{head}[{transition} on {{{scope}}}] {name}"
    body["alert_id"] = mid
    body["link"] = f"https://app.datadoghq.com/monitors/{mid}"
    body["alert_cycle_key"] = f"70195735{mid}"
    body["id"] = f"70846208{mid}{len(tags)}"
    body["alert_priority"] = priority
    body["alert_type"] = alert_type
    body["alert_transition"] = transition
    body["alert_scope"] = scope
    body["alert_title"] = name
    body["tags"] = ",".join(x for x in (scope, "team:payments", tags) if x)
    return body


def dd(cid: str, body: dict[str, Any], sev: str | None, note: str = "") -> Case:
    status = "resolved" if body["alert_transition"] == "Recovered" else "firing"
    ext = f"{body['alert_id']}:{body['alert_scope']}"
    svc = body["alert_scope"].split(",")[0].split(":", 1)[1]
    return Case(cid, "datadog", body, Expect(sev, ext, body["alert_title"], svc, status), H, note=note)


def cases() -> tuple[list[Case], list[Relation]]:
    c = [
        dd("dd3.p1", monitor("5100001", priority="P1"), "critical"),
        dd("dd3.p2", monitor("5100002", priority="P2"), "high"),
        dd("dd3.p3", monitor("5100003", priority="P3", alert_type="warning"), "medium"),
        dd("dd3.p4", monitor("5100004", priority="P4"), "low"),
        dd("dd3.p5", monitor("5100005", priority="P5", alert_type="warning"), "low"),
        dd(
            "dd3.p1_tag_low",
            monitor("5100006", priority="P1", tags="severity:low"),
            "critical",
            "priority first",
        ),
        dd("dd3.tag_sev_dash_1", monitor("5100007", tags="severity:sev-1"), "critical"),
        dd("dd3.tag_sev1", monitor("5100008", tags="severity:sev1", alert_type="warning"), "critical"),
        dd("dd3.tag_sev_key_2", monitor("5100009", tags="sev:2"), "high"),
        dd("dd3.tag_sev_key_sev3", monitor("5100010", tags="sev:sev3"), "medium"),
        dd(
            "dd3.tag_critical", monitor("5100011", tags="severity:critical", alert_type="warning"), "critical"
        ),
        dd("dd3.tag_crit", monitor("5100012", tags="severity:crit"), "critical"),
        dd("dd3.tag_priority_p2", monitor("5100013", tags="priority:p2", alert_type="warning"), "high"),
        dd("dd3.tag_priority_p4", monitor("5100014", tags="priority:p4"), "low"),
        dd("dd3.tag_warning", monitor("5100015", tags="severity:warning"), "medium"),
        dd("dd3.tag_info", monitor("5100016", tags="severity:info"), "low"),
        dd("dd3.tag_high", monitor("5100017", tags="severity:high", alert_type="warning"), "high"),
        dd("dd3.tag_first_of_many", monitor("5100018", tags="owner:sre,severity:sev-2,tier:1"), "high"),
        dd("dd3.type_error", monitor("5100019"), "high"),
        dd("dd3.type_warning", monitor("5100020", alert_type="warning", transition="Warn"), "medium"),
        dd("dd3.type_info", monitor("5100021", alert_type="info"), "low"),
        dd("dd3.title_prefix_p2", monitor("5100022", prefix="[P2] ", alert_type="warning"), "high"),
        dd(
            "dd3.nodata_p3",
            monitor("5100023", priority="P3", transition="No Data"),
            "medium",
            "No Data fires",
        ),
        dd("dd3.retriggered_p2", monitor("5100002", priority="P2", transition="Re-Triggered"), "high"),
        dd(
            "dd3.recovered_p1",
            monitor("5100001", priority="P1", alert_type="success", transition="Recovered"),
            None,
        ),
        dd(
            "dd3.other_service",
            monitor("5100024", priority="P2", name="Latency p99 over 800ms", service="search"),
            "high",
        ),
    ]
    r = [
        Relation("dd3.r.trig_recovered", "dd3.p1", "dd3.recovered_p1", True, True),
        Relation("dd3.r.retrigger", "dd3.p2", "dd3.retriggered_p2", True, True),
        Relation("dd3.r.diff_monitor_same_name", "dd3.p1", "dd3.p2", False, True),
    ]
    return c, r
