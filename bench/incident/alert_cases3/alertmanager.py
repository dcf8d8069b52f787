"""Alertmanager v4 webhooks built from the real `firing.grouped_2_alerts.json` fixture (zulip's
capture): the group cut to one alert whose labels carry the conventions of published mixins
(kubernetes-mixin and kube-prometheus `severity` critical/warning/info/none, the SRE-book page/ticket,
`priority` labels P1-P4, upper-case and numbered spellings), `service` or `job` labels, a status
firing or resolved; the fingerprint recomputed for the new label set. Expected severity:
docs/incidents.md (severity label, else priority label; default medium)."""

from __future__ import annotations

from typing import Any

from alert_cases.model import Case, Expect, Relation, am_fingerprint, fixture, headers_of

FX = "alertmanager/firing.grouped_2_alerts.json"
H = headers_of(FX)


def group(labels: dict[str, str], *, status: str = "firing") -> dict[str, Any]:
    body = fixture(FX)
    alert = body["alerts"][0]
    alert["labels"] = dict(labels)
    alert["status"] = status
    alert["fingerprint"] = am_fingerprint(labels)
    alert["annotations"]["summary"] = f"{labels['alertname']} is firing"
    if status == "resolved":
        alert["endsAt"] = "2020-02-06T00:27:58.432911368Z"
    body["alerts"] = [alert]
    body["status"] = status
    body["commonLabels"] = dict(labels)
    body["groupLabels"] = {"alertname": labels["alertname"]}
    body["groupKey"] = '{}:{alertname="' + labels["alertname"] + '"}'
    return body


def am(cid: str, labels: dict[str, str], sev: str | None, note: str = "", status: str = "firing") -> Case:
    svc = labels.get("service") or labels.get("job")
    e = Expect(sev, am_fingerprint(labels), labels["alertname"], svc, status)
    return Case(cid, "alertmanager", group(labels, status=status), e, H, note=note)


def lab(name: str, **kw: str) -> dict[str, str]:
    return {"alertname": name, "namespace": "prod", "job": "api", **kw}


def cases() -> tuple[list[Case], list[Relation]]:
    c = [
        am("am3.critical", lab("KubePodCrashLooping", severity="critical", pod="api-7d9f"), "critical"),
        am("am3.warning", lab("KubeMemoryOvercommit", severity="warning"), "medium"),
        am("am3.info", lab("KubeQuotaAlmostFull", severity="info"), "low"),
        am("am3.none_watchdog", lab("Watchdog", severity="none"), "low", "kube-prometheus dead man's switch"),
        am(
            "am3.page",
            lab("SLOErrorBudgetBurn", severity="page", service="checkout"),
            "critical",
            "SRE book page",
        ),
        am(
            "am3.ticket",
            lab("SLOErrorBudgetSlowBurn", severity="ticket", service="checkout"),
            "medium",
            "no vocabulary word: default",
        ),
        am("am3.error", lab("TargetDown", severity="error"), "high"),
        am(
            "am3.upper_critical",
            lab("NodeFilesystemAlmostOutOfSpace", severity="CRITICAL", instance="node-1"),
            "critical",
        ),
        am("am3.sev_dash_2", lab("PostgresReplicationLag", severity="SEV-2", service="postgres"), "high"),
        am("am3.sev3", lab("RedisMemoryHigh", severity="sev3", service="redis"), "medium"),
        am("am3.p1_severity", lab("CheckoutDown", severity="P1", service="checkout"), "critical"),
        am(
            "am3.priority_only_p2", lab("QueueBacklogGrowing", priority="P2", service="orders-worker"), "high"
        ),
        am("am3.priority_only_p4", lab("CertExpiresSoon", priority="P4", service="ingress"), "low"),
        am(
            "am3.sev_before_priority",
            lab("DiskPressure", severity="warning", priority="P1"),
            "medium",
            "severity label first",
        ),
        am("am3.high", lab("HighLatency", severity="high", service="search"), "high"),
        am("am3.major", lab("KafkaUnderReplicated", severity="major", service="kafka"), "high"),
        am("am3.minor", lab("CronJobSlow", severity="minor"), "medium"),
        am("am3.low", lab("ScrapeSlow", severity="low"), "low"),
        am("am3.no_severity", lab("SomethingOdd"), "medium", "default"),
        am(
            "am3.crit_resolved",
            lab("KubePodCrashLooping", severity="critical", pod="api-7d9f"),
            None,
            status="resolved",
        ),
    ]
    r = [Relation("am3.r.fire_resolve", "am3.critical", "am3.crit_resolved", True, True)]
    return c, r
