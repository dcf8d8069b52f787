"""An incident counts against the deployments of its service's production environment even when the
alerting side names that environment differently from the deploy tool.

Prometheus alerts say `env="prod"` where GitHub deployments say `production`: before, the exact,
case-sensitive match left such an incident out of the change failure rate and recovery time. A region
still keeps its own timeline: an incident in `prod-us` does not fail a deployment to `prod-eu`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from ingest_svc.metrics.domain.rules import incident_concerns
from metrics_testkit import deployment, incident, ingest_settings, settle

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, 4, hour, minute, tzinfo=UTC)


def test_which_incident_environments_concern_a_deployment() -> None:
    assert incident_concerns(None, "production")  # untagged: the service's production
    for generic in ("prod", "PROD", "production", "Production ", "prd", "live"):
        assert incident_concerns(generic, "prod-eu"), generic
    assert incident_concerns("Prod-EU", "prod-eu")
    assert not incident_concerns("prod-us", "prod-eu")
    assert not incident_concerns("staging", "production")


async def test_an_incident_tagged_prod_fails_a_deployment_to_production(servers, namespace) -> None:
    """By hand: checkout deploys C1 09:00, C2 12:00, C3 15:00 to `production`; incident I1 (env `prod`)
    opens 12:30, resolves 13:30, inside C2's window -> C2 failed; I1 resolves before C3 deploys, so
    recovery is 12:30 -> 13:30 = 3600 s. Change failure rate 1 of 3.
    billing deploys B1 10:00 to `prod-eu`; incident I2 in `prod-us` at 10:30 does not concern it: 0 of 1.
    """
    settings = ingest_settings(servers, namespace, metrics_min_sample=1)
    events = [
        deployment("C1", "checkout", at(9), sha="c1", team="alpha"),
        deployment("C2", "checkout", at(12), sha="c2", team="alpha"),
        deployment("C3", "checkout", at(15), sha="c3", team="alpha"),
        incident("I1", "checkout", at(12, 30), resolved=at(13, 30), env="prod", team="alpha"),
        deployment("B1", "billing", at(10), sha="b1", env="prod-eu", team="beta"),
        incident("I2", "billing", at(10, 30), resolved=at(11), env="prod-us", team="beta"),
    ]
    async with live_service(create_service(settings), settings) as svc, svc.client() as http:
        for subject, event in events:
            await svc.ctx.publisher.publish(subject, event)
        await settle(svc)
        window = {"from": "2026-05-04", "to": "2026-05-05"}
        checkout = (await http.get("/v1/metrics/dora", params={"service": "checkout", **window})).json()
        billing = (await http.get("/v1/metrics/dora", params={"service": "billing", **window})).json()
    cfr = checkout["summary"]["change_failure_rate"]
    assert cfr["deployment_ids"] == ["gha:C2"]
    assert cfr["value"] == pytest.approx(1 / 3)
    assert checkout["summary"]["recovery_time"]["median_s"] == 3600
    assert billing["summary"]["change_failure_rate"]["deployment_ids"] == []
    assert billing["summary"]["change_failure_rate"]["value"] == 0
