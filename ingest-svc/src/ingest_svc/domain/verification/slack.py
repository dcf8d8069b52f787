"""Slack v0 request signing (`X-Slack-Signature`, `X-Slack-Request-Timestamp`).

Slack's own requests go to notifier-svc's Bolt app, not to /webhooks; this scheme is kept here,
pure and tested against Slack's published vector, for sources that relay Slack-signed payloads.
"""

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

HEADER = "X-Slack-Signature"
TIMESTAMP = "X-Slack-Request-Timestamp"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    raw_ts = require(req.header(TIMESTAMP), TIMESTAMP)
    if not (raw_ts.isascii() and raw_ts.isdigit()):  # "²" is a digit float() refuses
        raise SignatureRejected(f"{TIMESTAMP} is not an integer")
    check_window(float(raw_ts), now, window_s)
    base = b"v0:" + raw_ts.encode() + b":" + req.body
    return Verified("slack-v0", match_any([value], secrets, lambda s: "v0=" + hex_hmac(s, base)))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    ts = str(int(now))
    return {HEADER: "v0=" + hex_hmac(secret, b"v0:" + ts.encode() + b":" + body), TIMESTAMP: ts}
