"""Signature schemes against the vendors' published test vectors, plus rotation, tampering, windows, SNS."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from ingest_svc.domain.verification import (
    circleci,
    github,
    gitlab,
    heroku,
    linear,
    pagerduty,
    sentry,
    slack,
    sns,
    token,
)
from ingest_svc.domain.verification.base import SignatureRejected, SignedRequest
from ingest_svc.sns_certs import SnsVerifier
from ingest_testkit import FIXTURES, SNS_CERT_URL, SnsKey

NOW = time.time()


def req(body: bytes, **headers: str) -> SignedRequest:
    return SignedRequest(body, {k.lower().replace("_", "-"): v for k, v in headers.items()})


def test_github_documented_vector() -> None:
    r = req(
        b"Hello, World!",
        **{"X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"},
    )
    assert github.verify(r, ["It's a Secret to Everybody"], NOW, 300).scheme == "github-hmac-sha256"
    assert github.sign("It's a Secret to Everybody", b"Hello, World!", NOW)["X-Hub-Signature-256"].endswith(
        "3e17"
    )
    with pytest.raises(SignatureRejected):
        github.verify(
            req(b"Hello, World?", **{"X-Hub-Signature-256": r.headers["x-hub-signature-256"]}),
            ["It's a Secret to Everybody"],
            NOW,
            300,
        )


def test_slack_documented_vector_and_its_age() -> None:
    fixture = json.loads((FIXTURES / "slack" / "slash_command.signed_docs_example.json").read_text())
    r = SignedRequest(fixture["body"].encode(), {k.lower(): v for k, v in fixture["headers"].items()})
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    assert slack.verify(r, [secret], 1531420618 + 10, 300).scheme == "slack-v0"
    with pytest.raises(SignatureRejected, match="replay window"):
        slack.verify(r, [secret], NOW, 300)  # the published request is years old


def test_pagerduty_go_sdk_vector_with_rotation() -> None:
    body = (FIXTURES / "pagerduty" / "vectors" / "go_pagerduty_default_body.txt").read_bytes()
    secret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
    good = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
    bad = "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5"
    assert pagerduty.verify(req(body, X_PagerDuty_Signature=good), [secret], NOW, 300).key_index == 0
    # During a rotation PagerDuty sends several signatures; one valid is enough.
    assert pagerduty.verify(req(body, X_PagerDuty_Signature=f"{bad},{good}"), [secret], NOW, 300)
    with pytest.raises(SignatureRejected):
        pagerduty.verify(req(body, X_PagerDuty_Signature=bad), [secret], NOW, 300)
    with pytest.raises(SignatureRejected, match="missing"):
        pagerduty.verify(req(body), [secret], NOW, 300)


@pytest.mark.parametrize(
    ("body", "secret", "digest"),
    [
        (b"hello world", "secret", "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"),
        (b"lalala", "another-secret", "daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00"),
        (
            b"an-important-request-payload",
            "hunter123",
            "9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa",
        ),
        (b"foo", "secret", "773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4"),
    ],
)
def test_circleci_documented_vectors(body: bytes, secret: str, digest: str) -> None:
    assert circleci.verify(req(body, circleci_signature=f"v1={digest},v2=ignored"), [secret], NOW, 300)


def test_two_secrets_during_rotation_report_which_matched() -> None:
    headers = github.sign("new-secret", b"{}", NOW)
    assert (
        github.verify(
            req(b"{}", **{k.replace("-", "_"): v for k, v in headers.items()}),
            ["old-secret", "new-secret"],
            NOW,
            300,
        ).key_index
        == 1
    )


def test_heroku_is_base64_not_hex() -> None:
    headers = heroku.sign("s3cret", b'{"a":1}', NOW)
    value = headers["Heroku-Webhook-Hmac-SHA256"]
    assert base64.b64decode(value) and len(value) == 44
    assert heroku.verify(req(b'{"a":1}', Heroku_Webhook_Hmac_SHA256=value), ["s3cret"], NOW, 300)


def test_gitlab_token_is_compared_not_hashed() -> None:
    assert gitlab.verify(req(b"{}", X_Gitlab_Token="tok"), ["tok"], NOW, 300)
    with pytest.raises(SignatureRejected):
        gitlab.verify(req(b"{}", X_Gitlab_Token="tok2"), ["tok"], NOW, 300)


def test_sentry_timestamp_window() -> None:
    body = b'{"action":"created"}'
    for skew, ok in ((0, True), (-299, True), (-301, False), (400, False)):
        headers = sentry.sign("cs", body, NOW + skew)
        r = req(
            body,
            Sentry_Hook_Signature=headers["Sentry-Hook-Signature"],
            Sentry_Hook_Timestamp=headers["Sentry-Hook-Timestamp"],
        )
        if ok:
            assert sentry.verify(r, ["cs"], NOW, 300)
        else:
            with pytest.raises(SignatureRejected, match="replay window"):
                sentry.verify(r, ["cs"], NOW, 300)
    # Sentry signs the body only: a captured delivery replayed with a timestamp of "nan" compared
    # false to the window and passed; non-finite timestamps are rejected outright.
    signature = sentry.sign("cs", body, NOW)["Sentry-Hook-Signature"]
    for stamp in ("nan", "NaN", "inf", "-inf"):
        r = req(body, Sentry_Hook_Signature=signature, Sentry_Hook_Timestamp=stamp)
        with pytest.raises(SignatureRejected, match="not a finite number"):
            sentry.verify(r, ["cs"], NOW, 300)


def test_linear_checks_signature_then_body_timestamp() -> None:
    fresh = json.dumps({"action": "create", "webhookTimestamp": int(NOW * 1000)}).encode()
    stale = json.dumps({"action": "create", "webhookTimestamp": int((NOW - 3600) * 1000)}).encode()
    assert linear.verify(
        req(fresh, Linear_Signature=linear.sign("k", fresh, NOW)["Linear-Signature"]), ["k"], NOW, 300
    )
    with pytest.raises(SignatureRejected, match="replay window"):
        linear.verify(
            req(stale, Linear_Signature=linear.sign("k", stale, NOW)["Linear-Signature"]), ["k"], NOW, 300
        )
    # Correctly signed, but a timestamp of 400 digits has no float value: a 401, never an OverflowError.
    huge = b'{"action": "create", "webhookTimestamp": 1' + b"0" * 400 + b"}"
    with pytest.raises(SignatureRejected, match="out of range"):
        linear.verify(
            req(huge, Linear_Signature=linear.sign("k", huge, NOW)["Linear-Signature"]), ["k"], NOW, 300
        )


def test_token_carriers() -> None:
    basic = base64.b64encode(b"alertmanager:tok").decode()
    for headers in (
        {"Authorization": "Bearer tok"},
        {"Authorization": f"Basic {basic}"},
        {"X_Webhook_Token": "tok"},
    ):
        assert token.verify(req(b"{}", **headers), ["tok"], NOW, 300).scheme == "token"
    with pytest.raises(SignatureRejected, match="missing token"):
        token.verify(req(b"{}"), ["tok"], NOW, 300)
    with pytest.raises(SignatureRejected):
        token.verify(req(b"{}", Authorization="Bearer nope"), ["tok"], NOW, 300)


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com.evil.com/cert.pem",
        "https://evil.com/sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
        "https://user:pw@sns.us-east-1.amazonaws.com/cert.pem",
        "https://sqs.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/cert.txt",
    ],
)
def test_sns_cert_url_rejected_before_fetch(url: str) -> None:
    with pytest.raises(SignatureRejected):
        sns.check_cert_url(url)


def test_sns_cert_url_accepted() -> None:
    assert sns.check_cert_url("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem")
    assert sns.check_cert_url("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem")


@pytest.mark.parametrize("version", ["1", "2"])
async def test_sns_signatures_v1_and_v2_with_cached_certificate(version: str) -> None:
    key = SnsKey()
    raw = json.loads((FIXTURES / "aws_sns" / "Notification.plain.json").read_text())["body"]
    message = key.sign(raw, version)
    verifier = SnsVerifier(key.fetch)
    topics = ["arn:aws:sns:us-west-2:123456789012:MyTopic"]
    assert (await verifier.verify(message, topics)).scheme == f"sns-v{version}"
    assert (await verifier.verify(message, topics)).scheme == f"sns-v{version}"
    assert key.fetched == [SNS_CERT_URL]  # fetched once, then cached
    with pytest.raises(SignatureRejected, match="does not match"):
        await verifier.verify({**message, "Message": "tampered"}, topics)
    with pytest.raises(SignatureRejected, match="TopicArn"):
        await verifier.verify(message, ["arn:aws:sns:us-west-2:123456789012:Other"])
    with pytest.raises(SignatureRejected, match="host"):
        await verifier.verify({**message, "SigningCertURL": "https://attacker.example/x.pem"}, topics)


def test_fixture_provenance_is_recorded() -> None:
    listed = (FIXTURES / "SOURCES.md").read_text()
    for path in FIXTURES.glob("*/*.json"):
        assert f"`{path.parent.name}/{path.name}`" in listed, path
    assert isinstance(Path, type)
