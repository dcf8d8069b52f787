"""Every source over real HTTP with valid signatures -> canonical events on a real JetStream stream;
plus duplicates, ignored event types, and each bad-input answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from em_shared.testing.live import live_service
from ingest_svc.app import create_service
from ingest_svc.settings import IngestSettings
from ingest_testkit import SnsKey, events_reader, fixture_samples, prepare, secret_for, secret_store, sns_key
from metrics_testkit import ingest_settings

__all__ = ["events_reader", "secret_store", "sns_key"]  # pytest fixtures used by name

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

# What each published fixture must become: (subject, fields that must match) per event, in order.
EXPECTED: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "alertmanager/firing.grouped_2_alerts.json": [
        (
            "alert.signal.received",
            {"vendor": "alertmanager", "status": "firing", "reported_severity": "critical"},
        ),
        ("alert.signal.received", {"vendor": "alertmanager", "status": "firing"}),
    ],
    "alertmanager/resolved.single.json": [
        ("alert.signal.received", {"status": "resolved", "alert_name": "Fire"})
    ],
    "argocd/sync.running.json": [
        ("deploy.deployment.started", {"provider": "argocd", "status": "in_progress", "service": "checkout"})
    ],
    "argocd/sync.succeeded.json": [
        (
            "deploy.deployment.finished",
            {"status": "success", "environment": "production", "repository": "acme/checkout"},
        )
    ],
    "aws_ecs/deployment_state_change.completed.json": [
        ("deploy.deployment.finished", {"provider": "ecs", "status": "success", "service": "servicetest"})
    ],
    "aws_ecs/deployment_state_change.failed.json": [("deploy.deployment.finished", {"status": "failure"})],
    "aws_ecs/task_state_change.running.json": [],  # a task reaching RUNNING is no failure
    "aws_ecs/task_state_change.stopped_oom.json": [
        (
            "alert.signal.received",
            {
                "vendor": "ecs",
                "status": "firing",
                "reported_severity": "critical",
                "external_id": "arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad",
                "occurred_at": "2020-01-23T18:42:11.540000Z",
            },
        )
    ],
    "aws_ecs/task_state_change.stopped_scale_in.json": [],  # a planned stop (scale-in, exit 0)
    "aws_sns/Notification.cloudwatch_alarm.json": [
        (
            "alert.signal.received",
            {
                "vendor": "cloudwatch",
                "status": "firing",
                "alert_name": "bucketbytesAlarm",
                "occurred_at": "2019-02-15T23:53:45.093000Z",
            },
        )
    ],
    "aws_eventbridge/cloudwatch_alarm_state_change.alarm.json": [
        (
            "alert.signal.received",
            {
                "vendor": "cloudwatch",
                "status": "firing",
                "alert_name": "ServerCpuTooHigh",
                "external_id": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",
                "occurred_at": "2019-10-02T17:04:40.985000Z",
            },
        )
    ],
    "aws_sns/Notification.plain.json": [],  # plain-text SNS message: stored, acknowledged as ignored
    "aws_sns/SubscriptionConfirmation.json": [],
    "circleci/job-completed.github_oauth.json": [
        (
            "ci.build.finished",
            {"provider": "circleci", "kind": "job", "status": "success", "duration_s": 5.329},
        )
    ],
    "circleci/workflow-completed.github_oauth.json": [
        (
            "ci.build.finished",
            {"kind": "workflow", "repository": "circleci/webhook-service", "branch": "main"},
        ),
        ("deploy.deployment.finished", {"provider": "circleci", "status": "success"}),
    ],
    "codecov/webhook.commit_coverage.json": [
        ("quality.report.received", {"tool": "codecov", "coverage_pct": 85.0, "project": "acme/checkout"})
    ],
    "datadog/monitor.recovered.json": [
        ("alert.signal.received", {"vendor": "datadog", "status": "resolved"})
    ],
    "datadog/monitor.triggered.json": [
        ("alert.signal.received", {"vendor": "datadog", "status": "firing", "reported_severity": "P1"})
    ],
    "github/check_run.completed.json": [
        ("ci.build.finished", {"provider": "github_checks", "status": "success"})
    ],
    "github/deployment_status.success.json": [
        (
            "deploy.deployment.finished",
            {
                "provider": "github",
                "environment": "production",
                "status": "success",
                "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
            },
        )
    ],
    "github/pull_request.closed.json": [("scm.pull_request.closed", {"number": 2, "action": "closed"})],
    "github/pull_request.opened.json": [
        (
            "scm.pull_request.opened",
            {"number": 2, "reviewers": ["octocat"], "labels": ["bug"], "additions": 1},
        )
    ],
    "github/push.json": [],  # a tag deletion: no commits reached a branch
    "github/workflow_run.completed.json": [("ci.build.finished", {"kind": "workflow", "status": "success"})],
    "github_actions/workflow_job.completed.failure.json": [
        ("ci.build.finished", {"kind": "job", "status": "failure", "name": "linters", "duration_s": 198.0})
    ],
    "github_actions/workflow_job.queued.json": [],
    "gitlab/deployment.success.json": [
        ("deploy.deployment.finished", {"provider": "gitlab", "environment": "staging"})
    ],
    "gitlab/job.json": [("ci.build.finished", {"provider": "gitlab", "kind": "job", "status": "success"})],
    "gitlab/merge_request.open.json": [("scm.pull_request.opened", {"number": 1, "labels": ["API"]})],
    "gitlab/pipeline.success.json": [("ci.build.finished", {"kind": "pipeline", "duration_s": 63.0})],
    "gitlab/push.json": [("scm.commit.pushed", {"branch": "master", "repository": "mike/diaspora"})],
    "heroku/api:release.create.json": [
        ("deploy.deployment.finished", {"provider": "heroku", "version": "v3"})
    ],
    "heroku/api:release.update.failed.json": [("deploy.deployment.finished", {"status": "failure"})],
    "jenkins/notification_plugin.completed_success.json": [
        ("ci.build.finished", {"provider": "jenkins", "external_id": "asgard#18", "branch": "master"})
    ],
    "jira/jira_issue_created.json": [("work.item.created", {"key": "BBCOM-1398", "item_type": "task"})],
    "jira/jira_issue_updated.status_changed.json": [
        ("work.item.updated", {"key": "INDEV-6", "status": "In Progress", "previous_status": "To Do"})
    ],
    "kubernetes/deployment.rollout_complete.json": [
        ("deploy.deployment.finished", {"provider": "kubernetes", "version": "1.42.0", "status": "success"})
    ],
    "kubernetes/event.scaling_replica_set.json": [
        ("deploy.deployment.started", {"deployment_key": "prod/web/web-5d8f9c7b6d"})
    ],
    "linear/Issue.create.json": [("work.item.created", {"key": "WEB-43", "tracker": "linear"})],
    "linear/Issue.update.json": [("work.item.updated", {"key": "WEB-44", "assignee": "Satyam Bansal"})],
    "newrelic/workflow.issue_created.json": [
        ("alert.signal.received", {"vendor": "newrelic", "reported_severity": "CRITICAL"})
    ],
    "pagerduty/incident.acknowledged.json": [("alert.signal.received", {"vendor_state": "acknowledged"})],
    "pagerduty/incident.resolved.json": [("alert.signal.received", {"status": "resolved"})],
    "pagerduty/incident.triggered.json": [
        ("alert.signal.received", {"status": "firing", "external_id": "PFQZPSY"})
    ],
    "sentry/event_alert.triggered.json": [
        ("alert.signal.received", {"vendor": "sentry", "external_id": "1117540176"})
    ],
    "sentry/issue.created.json": [
        ("alert.signal.received", {"status": "firing", "reported_severity": "error"})
    ],
    "sentry/issue.resolved.json": [("alert.signal.received", {"status": "resolved"})],
    "shortcut/story.create.json": [("work.item.created", {"key": "sc-11", "item_type": "story"})],
    "shortcut/story.update.workflow_state.json": [
        ("work.item.updated", {"status": "Ready for Review", "item_type": "bug"})
    ],
    "sonarqube/analysis.quality_gate_ok.json": [
        ("quality.report.received", {"gate_status": "OK", "kind": "quality_gate"})
    ],
}


def _unique(sample: Any) -> Any:
    """Docs examples reuse one delivery GUID (GitHub) or event id (ECS) across files; give each file its own."""
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, str(sample.path)))
    if "X-GitHub-Delivery" in sample.headers:
        sample.headers["X-GitHub-Delivery"] = ident
    if sample.source == "ecs":
        body = json.loads(sample.body)
        body["id"] = ident
        sample.body = json.dumps(body).encode()
    return sample


def _settings(servers: Any, namespace: str, **extra: Any) -> IngestSettings:
    return ingest_settings(servers, namespace, relay_poll_s=0.2, **extra)


async def test_every_source_through_http_to_jetstream(
    servers, namespace, secret_store, sns_key: SnsKey, events_reader
) -> None:
    settings = _settings(servers, namespace)
    service = create_service(settings, secrets=secret_store, sns_fetcher=sns_key.fetch)
    all_samples = [_unique(s) for s in fixture_samples()]
    names = {str(s.path).split("webhooks/")[1] for s in all_samples}
    assert names == set(EXPECTED), names ^ set(EXPECTED)
    async with live_service(service, settings) as svc:
        async with svc.client() as http:
            answers = {}
            for sample in all_samples:
                headers, body = prepare(sample, sns_key)
                r = await http.post(f"/webhooks/{sample.source}", content=body, headers=headers)
                assert r.status_code == 200, (sample.path, r.text)
                answers[str(sample.path).split("webhooks/")[1]] = r.json()
        total = sum(len(v) for v in EXPECTED.values())
        events = await events_reader(total)
    by_delivery: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for subject, event, headers in events:
        by_delivery.setdefault(event["causation_id"], []).append((subject, event))
        assert headers["Nats-Msg-Id"] == event["id"]
    assert len(events) == total
    for name, expected in EXPECTED.items():
        answer = answers[name]
        assert answer["duplicate"] is False
        assert answer["status"] == ("ignored" if name == "aws_sns/Notification.plain.json" else "accepted")
        got = by_delivery.get(answer["delivery_id"], [])
        assert [s for s, _ in got] == [s for s, _ in expected], name
        for (_, event), (_, fields) in zip(got, expected, strict=True):
            for key, value in fields.items():
                assert event[key] == value, (name, key, event[key])
            assert event["occurred_at"] < "2025-01-01" or name.startswith("jenkins/"), (
                name,
                event["occurred_at"],
            )


async def test_redelivery_is_collapsed_and_publishes_nothing(
    servers, namespace, secret_store, sns_key, events_reader
) -> None:
    settings = _settings(servers, namespace)
    sample = next(s for s in fixture_samples() if str(s.path).endswith("pagerduty/incident.triggered.json"))
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        headers, body = prepare(sample, sns_key)
        first = (await http.post("/webhooks/pagerduty", content=body, headers=headers)).json()
        await events_reader(1)
        again = [
            (await http.post("/webhooks/pagerduty", content=body, headers=headers)).json() for _ in range(3)
        ]
        events = await events_reader(1, settle_s=1.0)
        stored = await svc.ctx.pool.fetchval("SELECT count(*) FROM deliveries")
    assert first["duplicate"] is False
    assert all(a["duplicate"] is True and a["delivery_id"] == first["delivery_id"] for a in again)
    assert len(events) == 1
    assert stored == 1


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h, b: ({**h, "X-Hub-Signature-256": "sha256=" + "0" * 64}, b), "forged"),
        (lambda h, b: (h, b.replace(b"Codertocat", b"Attacker")), "tampered"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "X-Hub-Signature-256"}, b), "missing"),
    ],
)
async def test_bad_github_signatures_are_401(
    servers, namespace, secret_store, sns_key, mutate, reason
) -> None:
    settings = _settings(servers, namespace)
    sample = next(s for s in fixture_samples() if str(s.path).endswith("github/pull_request.opened.json"))
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        headers, body = mutate(*prepare(sample, sns_key))
        r = await http.post("/webhooks/github", content=body, headers=headers)
        stored = await svc.ctx.pool.fetchval("SELECT count(*) FROM deliveries")
    assert r.status_code == 401, reason
    assert r.json()["error"] == "unauthorized"
    assert stored == 0


async def test_stale_and_future_timestamps_are_401(servers, namespace, secret_store, sns_key) -> None:
    settings = _settings(servers, namespace)
    sentry = next(s for s in fixture_samples() if str(s.path).endswith("sentry/issue.created.json"))
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        import time

        for skew in (-3600, 3600):
            headers = sentry.signed(secret_for("sentry"), now=time.time() + skew)
            r = await http.post("/webhooks/sentry", content=sentry.body, headers=headers)
            assert r.status_code == 401
            assert "replay window" in r.json()["detail"]


async def test_instances_use_their_own_secrets(servers, namespace, secret_store, sns_key) -> None:
    settings = _settings(servers, namespace)
    sample = next(s for s in fixture_samples() if str(s.path).endswith("github/pull_request.opened.json"))
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        ok = await http.post(
            "/webhooks/github/acme", content=sample.body, headers=sample.signed("acme-org-secret")
        )
        wrong = await http.post(
            "/webhooks/github/acme", content=sample.body, headers=sample.signed(secret_for("github"))
        )
    assert ok.status_code == 200, ok.text
    assert wrong.status_code == 401


async def test_bad_input_answers(servers, namespace, secret_store, sns_key) -> None:
    settings = _settings(servers, namespace, webhook_max_body_overrides=["jenkins=200"])
    sample = next(s for s in fixture_samples() if str(s.path).endswith("pagerduty/incident.triggered.json"))
    pd_headers, pd_body = prepare(sample, sns_key)
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        unknown = await http.post(
            "/webhooks/myspace", content=b"{}", headers={"Content-Type": "application/json"}
        )
        big = await http.post(
            "/webhooks/jenkins",
            content=b"{" + b" " * 300 + b"}",
            headers={"Authorization": f"Bearer {secret_for('jenkins')}"},
        )
        huge = await http.post("/webhooks/pagerduty", content=b"x" * (2 * 1024 * 1024), headers=pd_headers)
        media = await http.post(
            "/webhooks/pagerduty", content=pd_body, headers={**pd_headers, "Content-Type": "text/html"}
        )
        bad_json = b'{"event": '
        malformed = await http.post(
            "/webhooks/pagerduty",
            content=bad_json,
            headers=sample.__class__(sample.source, "", sample.headers, bad_json).signed(
                secret_for("pagerduty")
            ),
        )
        # Invalid UTF-8 inside a JSON string, correctly signed: decoded (PagerDuty) and only validated
        # (GitHub, whose keys are headers) at accept time, both a 400.
        bad_utf8 = b'{"event": {"id": "\xff"}}'
        not_utf8 = {}
        for source in ("pagerduty", "github"):
            base = next(s for s in fixture_samples() if s.source == source)
            headers = sample.__class__(source, "", base.headers, bad_utf8).signed(secret_for(source))
            not_utf8[source] = await http.post(f"/webhooks/{source}", content=bad_utf8, headers=headers)
        no_secret_settings = _settings(servers, namespace)
        from ingest_svc.secrets import SecretStore

        unknown_event = await http.post(
            "/webhooks/pagerduty",
            content=b'{"event": {"id": "E1", "event_type": "service.created"}}',
            headers=sample.__class__(
                sample.source, "", sample.headers, b'{"event": {"id": "E1", "event_type": "service.created"}}'
            ).signed(secret_for("pagerduty")),
        )
    async with (
        live_service(create_service(no_secret_settings, secrets=SecretStore({})), no_secret_settings) as svc2,
        svc2.client() as http,
    ):
        unconfigured = await http.post("/webhooks/pagerduty", content=pd_body, headers=pd_headers)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert (big.status_code, big.json()["error"]) == (413, "too_large")
    assert huge.status_code == 413
    assert (media.status_code, media.json()["error"]) == (415, "unsupported_media_type")
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid")
    for answer in not_utf8.values():
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid"), answer.text
    assert unknown_event.status_code == 200 and unknown_event.json()["status"] == "ignored"
    assert unconfigured.status_code == 401 and "no credential configured" in unconfigured.json()["detail"]


async def test_codecov_authenticates_with_the_url_userinfo_its_notifier_sends(
    servers, namespace, secret_store
) -> None:
    """Codecov's notifier sends no signature, only its three fixed headers; the token rides in the
    webhook URL's userinfo, which its HTTP client (httpx) turns into Basic auth. Same client here."""
    settings = _settings(servers, namespace)
    sample = next(s for s in fixture_samples() if s.source == "codecov")
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "Codecov"}
    async with live_service(create_service(settings, secrets=secret_store), settings) as svc:
        host = svc.url.removeprefix("http://")
        async with httpx.AsyncClient(timeout=30) as client:

            async def post(userinfo: str, body: bytes) -> httpx.Response:
                return await client.post(
                    f"http://{userinfo}{host}/webhooks/codecov", content=body, headers=headers
                )

            good = await post(f"codecov:{secret_for('codecov')}@", sample.body)
            again = await post(f"codecov:{secret_for('codecov')}@", sample.body)
            wrong = await post("codecov:not-the-token@", sample.fresh().body)
            missing = await post("", sample.fresh().body)
    assert good.status_code == 200, good.text
    assert good.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert wrong.status_code == 401 and missing.status_code == 401, (wrong.text, missing.text)


async def test_the_webhook_mount_answers_every_path_shape_and_method_with_a_reason(
    servers, namespace, secret_store
) -> None:
    """The hot path is a plain ASGI handler (endpoint.py): it does the routing, method and size checks
    Litestar's handler layer used to do, with the same JSON errors, and stays in the OpenAPI document."""
    settings = _settings(servers, namespace)
    sample = next(s for s in fixture_samples() if s.source == "pagerduty")
    async with (
        live_service(create_service(settings, secrets=secret_store), settings) as svc,
        svc.client() as http,
    ):
        ok = await http.post(
            "/webhooks/pagerduty/", content=sample.body, headers=sample.signed(secret_for("pagerduty"))
        )
        wrong_method = await http.get("/webhooks/pagerduty")
        bare = await http.post("/webhooks", content=b"{}")
        too_deep = await http.post("/webhooks/pagerduty/eu/extra", content=b"{}")
        bad_instance = await http.post("/webhooks/pagerduty/eu%20west", content=b"{}")
        schema = (await http.get("/schema/openapi.json")).json()
        # Refused from the declared length alone, before a byte of the body is read or buffered.
        host, port = svc.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            f"POST /webhooks/pagerduty HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * 1024 * 1024}\r\n\r\n{{}}".encode()
        )
        await writer.drain()
        declared_big = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
    assert declared_big.startswith(b"HTTP/1.1 413") and b'"too_large"' in declared_big, declared_big
    assert ok.status_code == 200 and ok.json()["status"] == "accepted", ok.text
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    assert wrong_method.json()["error"] == "method_not_allowed"
    assert (bare.status_code, too_deep.status_code) == (404, 404)
    assert "/webhooks/{source}" in bare.json()["detail"]
    assert bad_instance.status_code == 400 and "instance names" in bad_instance.json()["detail"]
    post = schema["paths"]["/webhooks/{source}/{instance}"]["post"]
    assert {"400", "401", "404", "413", "415", "503"} <= set(post["responses"])
    assert "Accepted" in schema["components"]["schemas"]
