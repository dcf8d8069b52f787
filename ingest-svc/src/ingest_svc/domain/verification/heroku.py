"""Heroku: `Heroku-Webhook-Hmac-SHA256` = BASE64 (not hex) HMAC-SHA256(secret, body)."""

from __future__ import annotations

from ingest_svc.domain.verification.base import SignedRequest, Verified, b64_hmac, match_any, require

HEADER = "Heroku-Webhook-Hmac-SHA256"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    return Verified("heroku-hmac-sha256", match_any([value], secrets, lambda s: b64_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: b64_hmac(secret, body)}
