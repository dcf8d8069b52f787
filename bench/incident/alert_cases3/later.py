"""A second batch of deliveries for round 3, written after the first dev run (which missed nothing)
and still before the normalizers and severity code were read: harder spellings and shapes real teams
send, built with the same fixture-based builders. Renamed PagerDuty priorities (`P1-Critical`,
`Priority 1`, `Urgent`, `Emergency`), a priority removed by `incident.priority_updated`; Datadog tags
`severity:1`, `sev:p1`, `severity:s2`, `severity:sev_2`, a monitor without a service tag, a
multi-alert monitor by host, Renotify; a New Relic template naming the priority `severity`; syslog
and Zabbix levels in Alertmanager `severity` labels (`alert`, `emerg`, `notice`, `disaster`,
`average`), a Grafana-managed alert (Grafana's Alertmanager-shaped webhook, version "1"); CloudWatch
names delimited by dots, colons and spaces, `sev-2`, descriptions on several lines."""

from __future__ import annotations

from alert_cases.model import NO_SERVICE, Case, Expect, Relation

from . import alertmanager as amm
from . import cloudwatch as cwm
from . import datadog as ddm
from . import newrelic as nrm
from . import pagerduty as pdm


def _pagerduty() -> list[Case]:
    inc, pd = pdm.incident, pdm.pd
    return [
        pd("pd3b.p1_dash_critical", inc("Q2BBB01", priority="P1-Critical"), "critical"),
        pd("pd3b.priority_1", inc("Q2BBB02", priority="Priority 1"), "critical"),
        pd("pd3b.urgent", inc("Q2BBB03", priority="Urgent"), "high"),
        pd("pd3b.emergency", inc("Q2BBB04", priority="Emergency"), "critical"),
        pd("pd3b.sev4_low", inc("Q2BBB05", priority="SEV4 - Low", urgency="low"), "low"),
        pd("pd3b.p3_minor_low_urg", inc("Q2BBB06", priority="P3 - Minor", urgency="low"), "medium"),
        pd(
            "pd3b.priority_removed",
            inc("Q2BBB07", priority=None, urgency="low", event_type="incident.priority_updated"),
            "low",
            "priority cleared: urgency decides",
        ),
        pd("pd3b.ack_p2", inc("Q2BBB08", priority="P2", event_type="incident.acknowledged"), "high"),
        pd("pd3b.name_high", inc("Q2BBB09", priority="High"), "high"),
        pd("pd3b.name_low", inc("Q2BBB10", priority="Low"), "low"),
    ]


def _datadog() -> list[Case]:
    mon, dd = ddm.monitor, ddm.dd
    host = mon("5200007", priority="P2", name="Disk full on web-7")
    host["alert_scope"] = "host:web-7"
    host["title"] = "[P2] [Triggered on {host:web-7}] Disk full on web-7"
    host["tags"] = "host:web-7,service:storage,team:infra"
    no_svc = mon("5200008", priority="P3")
    no_svc["alert_scope"] = "env:prod"
    no_svc["title"] = "[P3] [Triggered on {env:prod}] High error rate on checkout"
    no_svc["tags"] = "env:prod,team:payments"
    return [
        dd("dd3b.tag_severity_1", mon("5200001", tags="severity:1"), "critical"),
        dd("dd3b.tag_sev_p1", mon("5200002", tags="sev:p1", alert_type="warning"), "critical"),
        dd("dd3b.tag_s2", mon("5200003", tags="severity:s2", alert_type="warning"), "high"),
        dd("dd3b.tag_sev_underscore_2", mon("5200004", tags="severity:sev_2", alert_type="warning"), "high"),
        dd("dd3b.tag_priority_high", mon("5200005", tags="priority:high", alert_type="warning"), "high"),
        dd("dd3b.renotify_p1", mon("5200006", priority="P1", transition="Renotify"), "critical"),
        Case(
            "dd3b.multi_alert_host",
            "datadog",
            host,
            Expect("high", "5200007:host:web-7", "Disk full on {{host.name}}", "storage", "firing"),
            ddm.H,
        ),
        Case(
            "dd3b.no_service_tag",
            "datadog",
            no_svc,
            Expect("medium", "5200008:env:prod", "High error rate on checkout", NO_SERVICE, "firing"),
            ddm.H,
        ),
        dd(
            "dd3b.warn_recovered",
            mon("5200009", priority="P3", alert_type="success", transition="Recovered"),
            None,
        ),
    ]


def _newrelic() -> list[Case]:
    wf = nrm.workflow("3f1c2b4a-0006-4e6a-9b8c-7d6e5f4a3b21", "HIGH", condition="Error budget burn")
    wf["severity"] = wf.pop("priority")
    ack = nrm.legacy(451005, "WARNING", state="acknowledged", condition="Response time (Warn)")
    return [
        nrm.nr("nr3b.severity_key", wf, "high", "template names the priority `severity`"),
        nrm.nrl("nr3b.legacy_ack_warning", ack, "medium"),
    ]


def _alertmanager() -> list[Case]:
    am, lab = amm.am, amm.lab
    labels = {
        "alertname": "High memory usage",
        "grafana_folder": "Platform",
        "team": "blue",
        "severity": "critical",
    }
    body = amm.group(labels)
    body.update(
        version="1",
        orgId=1,
        title="[FIRING:1] High memory usage Platform (blue critical)",
        state="alerting",
        message="**Firing**\n\nValue: B=44.2\nLabels:\n - alertname = High memory usage\n",
        truncatedAlerts=0,
        externalURL="https://grafana.example.com/",
    )
    a = body["alerts"][0]
    a.update(
        silenceURL="https://grafana.example.com/alerting/silence/new",
        dashboardURL="",
        panelURL="",
        values={"B": 44.2, "C": 1},
        valueString="[ var='B' labels={} value=44.2 ]",
        generatorURL="https://grafana.example.com/alerting/grafana/abc123/view",
    )
    grafana = Case(
        "am3b.grafana_managed",
        "alertmanager",
        body,
        Expect("critical", amm.am_fingerprint(labels), "High memory usage", None, "firing"),
        amm.H,
        note="Grafana's webhook contact point (version 1)",
    )
    return [
        am(
            "am3b.syslog_alert",
            lab("PaymentsDown", severity="alert", service="payments"),
            "critical",
            "syslog: above crit",
        ),
        am("am3b.syslog_emerg", lab("DatacenterDown", severity="emerg"), "critical"),
        am("am3b.notice", lab("ConfigReloaded", severity="notice"), "low"),
        am("am3b.zabbix_disaster", lab("DBPrimaryDown", severity="disaster", service="db"), "critical"),
        am("am3b.zabbix_average", lab("SwapUsageHigh", severity="average"), "medium"),
        am("am3b.priority_high", lab("LatencySLO", priority="high", service="api-gw"), "high"),
        am("am3b.priority_numeral", lab("BackupMissed", priority="1", service="backup"), "critical"),
        am("am3b.severity_title_case", lab("KubeNodeNotReady", severity="Warning"), "medium"),
        grafana,
    ]


def _cloudwatch() -> list[Case]:
    cw = cwm.cw
    return [
        cw("cw3b.dot_p1", "payments.p1.latency", "critical"),
        cw("cw3b.colon_sev1", "checkout:SEV1:errors", "critical"),
        cw("cw3b.space_p1", "P1 - Checkout API 5XX", "critical"),
        cw("cw3b.sev_dash_2", "sev-2-queue-depth", "high"),
        cw("cw3b.capital_critical_first", "Critical-RDS-CPU", "critical"),
        cw("cw3b.warning_eb", "ecs-memory-Warning", "medium", eb=True),
        cw(
            "cw3b.desc_multiline",
            "orders-api-errors",
            "critical",
            description="Runbook: https://runbooks.example.com/orders\nSeverity: critical",
        ),
        cw("cw3b.desc_severity_eq_high", "inventory-sync-lag", "high", description="Severity=High"),
        cw("cw3b.desc_bracket_p3", "thumbnailer-backlog", "medium", description="[P3] images queue backlog"),
        cw("cw3b.desc_sev_word", "auth-token-errors", "high", description="Severity: Sev2"),
        cw("cw3b.ok_named_warning", "rds-cpu-warn", None, state="OK"),
    ]


def cases() -> tuple[list[Case], list[Relation]]:
    c = _pagerduty() + _datadog() + _newrelic() + _alertmanager() + _cloudwatch()
    r = [
        Relation("cw3b.r.warn_ok", "cw3.name_warn_suffix", "cw3b.ok_named_warning", True, True),
        Relation("dd3b.r.host_vs_other", "dd3b.multi_alert_host", "dd3.p2", False, False),
    ]
    return c, r
