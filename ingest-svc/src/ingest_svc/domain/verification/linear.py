"""Linear: `Linear-Signature` = hex HMAC-SHA256(secret, raw body); the body's `webhookTimestamp`
(milliseconds) must fall inside the replay window (Linear's docs suggest one minute; ours is configurable)."""

from __future__ import annotations

import msgspec

from ingest_svc.domain.verification.base import (
    SignatureRejected,
    SignedRequest,
    Verified,
    check_window,
    hex_hmac,
    match_any,
    require,
)

HEADER = "Linear-Signature"


class _Stamp(msgspec.Struct):
    webhookTimestamp: int | float


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    # Signature first: the timestamp is only trusted once the body is known to be Linear's.
    index = match_any([value], secrets, lambda s: hex_hmac(s, req.body))
    try:
        stamp = msgspec.json.decode(req.body, type=_Stamp)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise SignatureRejected("body has no numeric webhookTimestamp") from exc
    try:
        seconds = stamp.webhookTimestamp / 1000.0
    except OverflowError as exc:  # a JSON integer of hundreds of digits has no float value
        raise SignatureRejected("webhookTimestamp is out of range") from exc
    check_window(seconds, now, window_s)
    return Verified("linear-hmac-sha256", index)


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: hex_hmac(secret, body)}
