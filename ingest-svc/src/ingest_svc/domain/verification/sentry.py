"""Sentry integration platform: `Sentry-Hook-Signature` = hex HMAC-SHA256(client secret, body), with
`Sentry-Hook-Timestamp` (seconds) checked against the replay window."""

from __future__ import annotations

from ingest_svc.domain.verification.base import (
    SignatureRejected,
    SignedRequest,
    Verified,
    check_window,
    hex_hmac,
    match_any,
    require,
)

HEADER = "Sentry-Hook-Signature"
TIMESTAMP = "Sentry-Hook-Timestamp"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    raw_ts = require(req.header(TIMESTAMP), TIMESTAMP)
    try:
        timestamp = float(raw_ts)
    except ValueError as exc:
        raise SignatureRejected(f"{TIMESTAMP} is not a number") from exc
    check_window(timestamp, now, window_s)
    return Verified("sentry-hmac-sha256", match_any([value], secrets, lambda s: hex_hmac(s, req.body)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: hex_hmac(secret, body), TIMESTAMP: str(int(now))}
