"""PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`; several during a secret rotation."""

from __future__ import annotations

from ingest_svc.domain.verification.base import (
    SignatureRejected,
    SignedRequest,
    Verified,
    hex_hmac,
    match_any,
    require,
)

HEADER = "X-PagerDuty-Signature"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    candidates = [part.strip() for part in value.split(",") if part.strip().startswith("v1=")]
    if not candidates:
        raise SignatureRejected(f"{HEADER} has no v1= signature")
    index = match_any(candidates, secrets, lambda s: "v1=" + hex_hmac(s, req.body))
    return Verified("pagerduty-v1", index)


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: "v1=" + hex_hmac(secret, body)}
