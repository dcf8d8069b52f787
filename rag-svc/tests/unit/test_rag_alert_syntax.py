"""Query normalisation for alert syntax: labels that locate an alert go, labels that describe it stay."""

from __future__ import annotations

import pytest
from rag_svc.domain.alert_syntax import strip_alert_syntax
from rag_svc.domain.query import expand_query, search_terms


def test_prometheus_label_set_keeps_the_alert_name_and_drops_where_it_fired() -> None:
    text = strip_alert_syntax(
        "[FIRING:2] alertname=KubePodCrashLooping severity=critical namespace=payments "
        'pod="ledger-6f9b-xk2" container=ledger'
    )
    assert text == "KubePodCrashLooping"


def test_labels_that_describe_the_failure_are_kept_as_words() -> None:
    text = strip_alert_syntax(
        "KubeContainerWaiting reason=ImagePullBackOff topic=orders instance=10.0.0.1:9100"
    )
    assert text == "KubeContainerWaiting ImagePullBackOff topic orders"


def test_datadog_title_loses_its_source_status_and_location_tags() -> None:
    text = strip_alert_syntax(
        "Datadog: [Triggered] Disk usage above 95% {host:web-04, env:prod, device:/dev/nvme0n1p1}"
    )
    assert text == "Disk usage above 95% device /dev/nvme0n1p1"


def test_cloudwatch_alarm_state_words_are_dropped() -> None:
    assert strip_alert_syntax("CloudWatch alarm orders-dlq-depth-High in ALARM") == "orders-dlq-depth-High"


@pytest.mark.parametrize(
    "plain",
    [
        "nginx_ingress_controller_config_last_reload_successful == 0 for 15m",  # a comparison, not a label
        "ERROR: deadlock detected while updating orders",  # `key: value` outside braces is prose
        "PUT */_settings {index.blocks.read_only_allow_delete null}",  # braces that are not tags
        "why is checkout slow rn?",
        "rabbit broker in alarm, publishers blocked",  # RabbitMQ's alarm is not CloudWatch's state
    ],
)
def test_text_without_alert_syntax_is_left_alone(plain: str) -> None:
    assert strip_alert_syntax(plain) == plain


def test_search_terms_carry_no_location_label_values() -> None:
    terms = set(search_terms("alertname=KubeNodeUnreachable node=ip-10-1-4-7.ec2.internal severity=warning"))
    assert {"kube", "node", "unreachable", "kubernetes"} <= terms
    assert not {"ip", "ec2", "internal", "warning", "severity", "alertname"} & terms


def test_a_query_of_only_location_labels_is_searched_as_written() -> None:
    # Nothing in it describes a failure: searching its words beats searching nothing.
    assert search_terms("namespace=payments") == ["payments"]
    assert expand_query("namespace=payments") == "namespace=payments (namespace payments)"


def test_embedding_text_spells_out_identifiers_and_shorthand() -> None:
    text = expand_query("[FIRING:1] alertname=KubeContainerOOMKilled namespace=search")
    assert text == "KubeContainerOOMKilled (kube container oom killed; kubernetes; out of memory)"
