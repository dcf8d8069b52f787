"""ECS task state changes: a task that stopped unexpectedly is an alert signal; planned stops are not."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import sample_named

ECS = SOURCES["ecs"]


def _events(body: dict[str, Any]) -> list[Any]:
    event_type = ECS.event_type({}, body)
    delivery = Delivery("d-1", "ecs", "default", event_type, body, datetime(2020, 1, 24, tzinfo=UTC), {})
    return [e.event for e in ECS.normalize(delivery, Catalog())]


def _oom() -> dict[str, Any]:
    return json.loads(sample_named("aws_ecs/task_state_change.stopped_oom.json").body)


def test_an_oom_killed_essential_container_is_a_critical_alert() -> None:
    [signal] = _events(_oom())
    assert ECS.handles(ECS.event_type({}, _oom()))
    assert signal.vendor == "ecs" and signal.status == "firing" and signal.reported_severity == "critical"
    assert signal.occurred_at == datetime(2020, 1, 23, 18, 42, 11, 540000, tzinfo=UTC)  # stoppedAt
    assert "OutOfMemoryError" in signal.title and "exit 137" in signal.title
    assert signal.labels == {
        "cluster": "FargateCluster",
        "stop_code": "EssentialContainerExited",
        "task_definition": "sample-fargate",
        "container": "FargateApp",
        "exit_code": "137",
        "oom": "true",
    }


def test_a_task_that_failed_to_start_is_an_alert_even_without_containers() -> None:
    body = _oom()
    body["detail"].update(
        stopCode="TaskFailedToStart", stoppedReason="CannotPullContainerError: pull access denied"
    )
    body["detail"]["containers"] = []
    [signal] = _events(body)
    assert signal.reported_severity == "critical"
    assert signal.title == "ECS task of sample-fargate stopped: CannotPullContainerError: pull access denied"


def test_a_non_zero_exit_is_an_error_alert_and_a_crash_loop_shares_one_fingerprint() -> None:
    first = _oom()
    first["detail"]["containers"][0].update(exitCode=1, reason="")
    second = copy.deepcopy(first)
    second["detail"]["taskArn"] = second["detail"]["taskArn"].replace("c13b", "ffff")
    [a], [b] = _events(first), _events(second)
    assert a.reported_severity == "error" and "exit 1" in a.title
    assert a.external_id != b.external_id and a.fingerprint == b.fingerprint


@pytest.mark.parametrize(
    "fixture", ["aws_ecs/task_state_change.running.json", "aws_ecs/task_state_change.stopped_scale_in.json"]
)
def test_running_tasks_and_planned_stops_emit_nothing(fixture: str) -> None:
    assert _events(json.loads(sample_named(fixture).body)) == []


def test_a_user_stop_with_exit_zero_emits_nothing() -> None:
    body = _oom()
    body["detail"].update(stopCode="UserInitiated", stoppedReason="Task stopped by user")
    body["detail"]["containers"][0].update(exitCode=0, reason="")
    assert _events(body) == []
