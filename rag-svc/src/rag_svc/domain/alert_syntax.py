"""Alert syntax to plain words: what an alert says about the failure, without where it fired.

Alerts reach search as vendor titles (`Datadog: [Warn] ... {env:prod, service:api}`,
`[FIRING:2] alertname=KubePodCrashLooping severity=critical namespace=payments pod=ledger-6f9b`).
The labels that locate an alert (namespace, pod, instance, env, severity...) are the same for every
failure mode; left in, their values (`payments`, `ledger`, `prod`) match unrelated runbooks that
happen to use them as examples and dilute the query's embedding. Labels that describe the failure
(`reason=OOMKilled`, `queue=...`, `topic=...`) are kept as words.
"""

from __future__ import annotations

import re

# Label keys whose value says where, for whom or how loud an alert fired, never what failed.
LOCATION_KEYS = frozenset(
    {
        "account",
        "account_id",
        "alertstate",
        "app",
        "application",
        "availability_zone",
        "az",
        "cluster",
        "cluster_name",
        "container",
        "container_name",
        "controller_pod",
        "datacenter",
        "dc",
        "deployment",
        "endpoint",
        "env",
        "environment",
        "exported_namespace",
        "exported_pod",
        "host",
        "hostname",
        "id",
        "instance",
        "job",
        "job_name",
        "kube_cluster_name",
        "kube_container_name",
        "kube_deployment",
        "kube_namespace",
        "kube_pod_name",
        "kube_stateful_set",
        "kubernetes_node",
        "monitor",
        "namespace",
        "node",
        "nodename",
        "owner",
        "pod",
        "pod_name",
        "priority",
        "project",
        "project_id",
        "prometheus",
        "receiver",
        "region",
        "service",
        "service_name",
        "severity",
        "team",
        "tenant",
        "uid",
        "version",
        "zone",
    }
)
# Keys whose value *is* the alert's name or state (`reason=OOMKilled`): the value stays, the key goes.
NAME_KEYS = frozenset(
    {
        "alertname",
        "alert_name",
        "alert",
        "check",
        "condition",
        "event",
        "phase",
        "reason",
        "rule",
        "rulename",
        "state",
        "status",
        "type",
    }
)

_STATUS = re.compile(
    r"\[\s*(?:firing|resolved|alert|alerting|warn|warning|triggered|re-triggered|recovered|no data|ok|"
    r"critical|error|info|p[0-5]|sev[- ]?[0-5])\s*(?::\s*\d+)?\s*\]",
    re.IGNORECASE,
)
# Monitoring tools that prefix their titles ("Datadog: ...", "CloudWatch alarm ..."); not AWS/GCP
# services, whose names say what failed.
_SOURCE = re.compile(
    r"^\s*(?:datadog|sentry|pagerduty|opsgenie|alertmanager|prometheus|grafana|new ?relic|splunk|"
    r"dynatrace|honeycomb|pingdom|zabbix|nagios|icinga|victorops)\s*(?::|-)\s*"
    r"|\bcloudwatch(?:\s+alarm)?\s*:?\s*|(?-i:\bin\s+ALARM\b)(?:\s+state)?",  # CloudWatch's state is upper case
    re.IGNORECASE,
)
_PAIR = re.compile(
    r"(?<![\w.=!<>])([A-Za-z_][A-Za-z0-9_.]*)\s*=~?\s*(?!=)(\"[^\"]*\"|'[^']*'|[^\s,{}()\[\]\"']+)"
)
_TAGS = re.compile(r"\{([^{}]*)\}")
_TAG = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*:\s*(\S.*?)\s*$")


def _pair_words(key: str, value: str) -> str:
    key_l = key.lower()
    value = value.strip("\"'")
    if key_l in LOCATION_KEYS:
        return " "
    if key_l in NAME_KEYS:
        return f" {value} "
    return f" {key} {value} "


def _tags(match: re.Match[str]) -> str:
    """`{env:prod, kube_namespace:search}`: Datadog-style tags (only when every item is `key:value`)."""
    items = [_TAG.match(item) for item in match.group(1).split(",")]
    if not items or any(m is None for m in items):
        return match.group(0)
    return " ".join(_pair_words(m.group(1), m.group(2)) for m in items if m is not None)


def strip_alert_syntax(query: str) -> str:
    """The query with status markers, monitoring-tool prefixes and location labels removed."""
    text = _STATUS.sub(" ", query)
    text = _SOURCE.sub(" ", text)
    text = _TAGS.sub(_tags, text)
    text = _PAIR.sub(lambda m: _pair_words(m.group(1), m.group(2)), text)
    return " ".join(text.split())
