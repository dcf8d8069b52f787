"""Alertmanager webhook_config deliveries, version 4 (prometheus.io "Configuration > webhook_config"):
one group per POST with `status`, `groupKey`, `groupLabels`, `commonLabels`, `alerts[]` each with its
own `status`, `labels`, `startsAt`, `endsAt`, `fingerprint` (the label set's hash). Label conventions
vary between rule sets: `severity` (kube-prometheus: critical/warning/info/none), `priority`
(P1..P5), `level`; the service is a `service` label, else the scrape `job`."""

from __future__ import annotations

from typing import Any

from alert_cases.model import NO_SERVICE, Case, Expect, Relation, am_fingerprint

H = {"Content-Type": "application/json", "User-Agent": "Alertmanager/0.27.0"}
ZERO = "0001-01-01T00:00:00Z"


def alert(labels: dict[str, str], status: str = "firing", *, with_fp: bool = True) -> dict[str, Any]:
    a: dict[str, Any] = {
        "status": status,
        "labels": labels,
        "annotations": {
            "summary": f"{labels.get('alertname')} on {labels.get('instance', '?')}",
            "runbook_url": "https://runbooks.example.com/x",
        },
        "startsAt": "2024-06-01T10:00:00.000Z",
        "endsAt": "2024-06-01T10:30:00.000Z" if status == "resolved" else ZERO,
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
    }
    if with_fp:
        a["fingerprint"] = am_fingerprint(labels)
    return a


def group(alerts: list[dict[str, Any]], group_by: tuple[str, ...] = ("alertname",)) -> dict[str, Any]:
    common = dict(alerts[0]["labels"])
    for a in alerts[1:]:
        common = {k: v for k, v in common.items() if a["labels"].get(k) == v}
    gl = {k: common[k] for k in group_by if k in common}
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {
        "receiver": "em-agent",
        "status": status,
        "alerts": alerts,
        "groupLabels": gl,
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": "{}:{" + ",".join(f'{k}="{v}"' for k, v in gl.items()) + "}",
        "truncatedAlerts": 0,
    }


def cases() -> tuple[list[Case], list[Relation]]:
    lat1 = {
        "alertname": "HighRequestLatency",
        "service": "checkout",
        "instance": "10.0.0.1:8080",
        "job": "checkout-api",
        "severity": "critical",
    }
    lat2 = {**lat1, "instance": "10.0.0.2:8080"}
    wd = {"alertname": "Watchdog", "prometheus": "monitoring/k8s", "severity": "none"}
    kube = {
        "alertname": "KubePodCrashLooping",
        "namespace": "shop",
        "pod": "cart-7f9c",
        "container": "cart",
        "job": "kube-state-metrics",
        "severity": "warning",
    }
    prio = {"alertname": "PaymentsErrorBudgetBurn", "service": "payments", "priority": "P1", "team": "pay"}
    prio2 = {"alertname": "LedgerLag", "service": "ledger", "priority": "P3"}
    lvl = {
        "alertname": "DiskWillFillIn4h",
        "job": "node-exporter",
        "instance": "db-1:9100",
        "level": "critical",
    }
    lvl_warn = {"alertname": "NTPDrift", "job": "node-exporter", "instance": "db-2:9100", "level": "warn"}
    sev_upper = {"alertname": "RabbitQueueStuck", "service": "orders", "severity": "CRITICAL"}
    sev_p2 = {"alertname": "CertExpiringSoon", "service": "edge", "severity": "P2"}
    sev_page = {"alertname": "APIDown", "service": "public-api", "severity": "page"}
    sev_error = {"alertname": "BatchFailed", "service": "billing-batch", "severity": "error"}
    nosev = {"alertname": "TargetDown", "job": "redis-exporter", "instance": "redis:9121"}
    nosvc = {"alertname": "ClockSkew", "severity": "info"}
    fp = am_fingerprint
    c = [
        Case(
            "am2.lat.g0",
            "alertmanager",
            group([alert(lat1), alert(lat2)]),
            Expect("critical", fp(lat1), "HighRequestLatency", "checkout", "firing"),
            H,
            0,
        ),
        Case(
            "am2.lat.g1",
            "alertmanager",
            group([alert(lat1), alert(lat2)]),
            Expect("critical", fp(lat2), "HighRequestLatency", "checkout", "firing"),
            H,
            1,
        ),
        Case(
            "am2.lat.partial_resolve",
            "alertmanager",
            group([alert(lat1, "resolved"), alert(lat2)]),
            Expect(None, fp(lat1), "HighRequestLatency", "checkout", "resolved"),
            H,
            0,
            note="group still firing, this alert resolved",
        ),
        Case(
            "am2.watchdog",
            "alertmanager",
            group([alert(wd)]),
            Expect("low", fp(wd), "Watchdog", NO_SERVICE, "firing"),
            H,
        ),
        Case(
            "am2.kube.warning",
            "alertmanager",
            group([alert(kube)], ("namespace", "alertname")),
            Expect("medium", fp(kube), "KubePodCrashLooping", "kube-state-metrics", "firing"),
            H,
        ),
        Case(
            "am2.prio.p1",
            "alertmanager",
            group([alert(prio)]),
            Expect("critical", fp(prio), "PaymentsErrorBudgetBurn", "payments", "firing"),
            H,
        ),
        Case(
            "am2.prio.p3",
            "alertmanager",
            group([alert(prio2)]),
            Expect("medium", fp(prio2), "LedgerLag", "ledger", "firing"),
            H,
        ),
        Case(
            "am2.level.critical",
            "alertmanager",
            group([alert(lvl)]),
            Expect("critical", fp(lvl), "DiskWillFillIn4h", "node-exporter", "firing"),
            H,
            note="rule set that names its severity label `level`",
        ),
        Case(
            "am2.level.warn",
            "alertmanager",
            group([alert(lvl_warn)]),
            Expect("medium", fp(lvl_warn), "NTPDrift", "node-exporter", "firing"),
            H,
        ),
        Case(
            "am2.sev.upper",
            "alertmanager",
            group([alert(sev_upper)]),
            Expect("critical", fp(sev_upper), "RabbitQueueStuck", "orders", "firing"),
            H,
        ),
        Case(
            "am2.sev.p2",
            "alertmanager",
            group([alert(sev_p2)]),
            Expect("high", fp(sev_p2), "CertExpiringSoon", "edge", "firing"),
            H,
        ),
        Case(
            "am2.sev.page",
            "alertmanager",
            group([alert(sev_page)]),
            Expect("critical", fp(sev_page), "APIDown", "public-api", "firing"),
            H,
        ),
        Case(
            "am2.sev.error",
            "alertmanager",
            group([alert(sev_error)]),
            Expect("high", fp(sev_error), "BatchFailed", "billing-batch", "firing"),
            H,
        ),
        Case(
            "am2.nosev",
            "alertmanager",
            group([alert(nosev)]),
            Expect("medium", fp(nosev), "TargetDown", "redis-exporter", "firing"),
            H,
            note="no severity label: the documented default",
        ),
        Case(
            "am2.nofingerprint",
            "alertmanager",
            group([alert(nosvc, with_fp=False)]),
            Expect("low", fp(nosvc), "ClockSkew", NO_SERVICE, "firing"),
            H,
            note="older Alertmanager without `fingerprint`: the label set's hash",
        ),
        Case(
            "am2.kube.resolved",
            "alertmanager",
            group([alert(kube, "resolved")], ("namespace", "alertname")),
            Expect(None, fp(kube), "KubePodCrashLooping", "kube-state-metrics", "resolved"),
            H,
        ),
    ]
    r = [
        Relation("am2.r.two_instances", "am2.lat.g0", "am2.lat.g1", False, True),
        Relation("am2.r.fire_resolve", "am2.lat.g0", "am2.lat.partial_resolve", True, True),
        Relation("am2.r.kube_fire_resolve", "am2.kube.warning", "am2.kube.resolved", True, True),
        Relation("am2.r.diff_alerts", "am2.prio.p1", "am2.prio.p3", False, False),
        Relation("am2.r.level_diff", "am2.level.critical", "am2.level.warn", False, False),
    ]
    return c, r
