"""Shared test support for ingest-svc's webhook tests (conftest.py puts this directory on sys.path):
fixture samples, secrets, a local SNS certificate, JetStream reads. Test modules import the fixtures."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from em_shared.contracts.subjects import Topology
from ingest_svc import samples
from ingest_svc.domain.sources import SOURCES
from ingest_svc.domain.verification import sns
from ingest_svc.secrets import SecretStore
from nats.aio.client import Client as NatsClient

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "webhooks"
SNS_CERT_URL = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-local-test.pem"
SNS_TOPICS = ["arn:aws:sns:us-west-2:123456789012:MyTopic", "arn:aws:sns:eu-west-1:1234567890:alerta-test"]


def secret_for(source: str) -> str:
    return f"test-secret-{source}-0123456789"


def fixture_samples() -> list[samples.Sample]:
    out = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        raw = json.loads(path.read_text())
        if samples.FIXTURE_SOURCES.get(raw["source"], raw["source"]) in SOURCES:
            out.append(samples.load(path))
    return out


def sample_named(suffix: str) -> samples.Sample:
    return next(s for s in fixture_samples() if str(s.path).endswith(suffix))


def all_secrets() -> dict[str, list[str]]:
    secrets = {name: [secret_for(name)] for name in SOURCES}
    for aws in ("cloudwatch", "ecs"):
        secrets[aws] = [secret_for(aws), *SNS_TOPICS]
    secrets["github/acme"] = ["acme-org-secret"]
    return secrets


class SnsKey:
    """A locally generated RSA key and self-signed certificate standing in for AWS's signing cert."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.pem = cert.public_bytes(serialization.Encoding.PEM)
        self.fetched: list[str] = []

    async def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        return self.pem

    def sign(self, message: dict[str, Any], version: str = "1") -> dict[str, Any]:
        signed = {**message, "SignatureVersion": version, "SigningCertURL": SNS_CERT_URL}
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(sns.string_to_sign(signed), padding.PKCS1v15(), algorithm)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed


@pytest.fixture(scope="session")
def sns_key() -> SnsKey:
    return SnsKey()


@pytest.fixture
def secret_store() -> SecretStore:
    return SecretStore(all_secrets())


def prepare(sample: samples.Sample, sns_key: SnsKey, version: str = "1") -> tuple[dict[str, str], bytes]:
    """Headers and body as the vendor would send them, signed for the test secrets (SNS: re-signed
    with the local certificate, the docs' EXAMPLE signatures being unverifiable)."""
    sample = sample.refresh_timestamps()
    body = json.loads(sample.body) if sample.body.startswith(b"{") else None
    if isinstance(body, dict) and "SignatureVersion" in body:
        data = json.dumps(sns_key.sign(body, version)).encode()
        headers = {k: v for k, v in sample.headers.items() if k.lower() != "content-length"}
        return headers, data
    return sample.signed(secret_for(sample.source)), sample.body


async def read_events(
    nc: NatsClient, topology: Topology, count: int, timeout_s: float = 15.0, settle_s: float = 0.5
) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """Every event on the namespace's INGEST stream (in order), once `count` arrived (plus a settle time)."""
    js = nc.jetstream()
    stream = topology.stream("INGEST")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            have = (await js.stream_info(stream)).state.messages
        except Exception:
            have = 0
        if have >= count or loop.time() > deadline:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(settle_s)
    info = await js.stream_info(stream)
    out = []
    if info.state.messages:
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            out.append(
                (topology.unqualify(msg.subject), msgspec.json.decode(msg.data), dict(msg.headers or {}))
            )
    return out


@pytest.fixture
def events_reader(nc: NatsClient, topology: Topology) -> Callable[..., Any]:
    async def read(count: int, **kwargs: Any) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
        return await read_events(nc, topology, count, **kwargs)

    return read
