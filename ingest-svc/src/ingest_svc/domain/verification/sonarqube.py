"""SonarQube: `X-Sonar-Webhook-HMAC-SHA256` = hex HMAC-SHA256(secret, body) when a secret is set."""

from __future__ import annotations

from ingest_svc.domain.verification.base import SignedRequest, Verified, hex_hmac, match_any, require

HEADER = "X-Sonar-Webhook-HMAC-SHA256"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    return Verified("sonarqube-hmac-sha256", match_any([value], secrets, lambda s: hex_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: hex_hmac(secret, body)}
