"""Shortcut: `Payload-Signature` = hex HMAC-SHA256(secret, body)."""

from __future__ import annotations

from ingest_svc.domain.verification.base import SignedRequest, Verified, hex_hmac, match_any, require

HEADER = "Payload-Signature"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    return Verified("shortcut-hmac-sha256", match_any([value], secrets, lambda s: hex_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: hex_hmac(secret, body)}
