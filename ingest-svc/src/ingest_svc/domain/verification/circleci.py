"""CircleCI: `circleci-signature: v1=<hex>[,v2=...]`; only `v1` is checked, as CircleCI's docs say."""

from __future__ import annotations

from ingest_svc.domain.verification.base import (
    SignatureRejected,
    SignedRequest,
    Verified,
    hex_hmac,
    match_any,
    require,
)

HEADER = "circleci-signature"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    candidates = [p.strip()[3:] for p in value.split(",") if p.strip().startswith("v1=")]
    if not candidates:
        raise SignatureRejected(f"{HEADER} has no v1= signature")
    return Verified("circleci-v1", match_any(candidates, secrets, lambda s: hex_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: "v1=" + hex_hmac(secret, body)}
