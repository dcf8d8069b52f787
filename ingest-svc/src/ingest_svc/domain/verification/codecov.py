"""Codecov: `X-Codecov-Signature` = hex HMAC-SHA256(secret, body).

Codecov publishes no test vector for its webhook notifier; see docs/ingest.md for what is assumed.
A token (bearer/basic/header, as for unsigned sources) is accepted too, for self-hosted relays.
"""

from __future__ import annotations

from ingest_svc.domain.verification import token
from ingest_svc.domain.verification.base import SignedRequest, Verified, hex_hmac, match_any

HEADER = "X-Codecov-Signature"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = req.header(HEADER)
    if value is None:
        return token.verify(req, secrets, now, window_s)
    return Verified("codecov-hmac-sha256", match_any([value], secrets, lambda s: hex_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: hex_hmac(secret, body)}
