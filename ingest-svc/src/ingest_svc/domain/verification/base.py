"""The request a scheme verifies, its verdict, and the constant-time comparisons they share."""

from __future__ import annotations

import base64
import hmac
import math

import msgspec


class SignatureRejected(Exception):
    """Authentication failed; `reason` is safe to return to the caller (never contains a secret)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignedRequest(msgspec.Struct, frozen=True):
    """What a scheme may look at: raw body bytes and lower-cased header names."""

    body: bytes
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Verified(msgspec.Struct, frozen=True):
    """How a delivery was authenticated, stored with it: scheme and which secret (by position)."""

    scheme: str
    key_index: int = 0

    def describe(self) -> str:
        return f"{self.scheme}:key{self.key_index}"


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.digest(secret.encode(), message, "sha256")  # OpenSSL's one-shot path


def hex_hmac(secret: str, message: bytes) -> str:
    return hmac_sha256(secret, message).hex()


def b64_hmac(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac_sha256(secret, message)).decode()


def match_any(candidates: list[str], secrets: list[str], expected: callable) -> int:  # type: ignore[valid-type]
    """Index of the first secret whose expected value equals one candidate, compared in constant time.

    Every secret x candidate pair is compared (no early exit on a prefix), so timing does not tell an
    attacker how close a forged signature came. Raises when nothing matches.
    """
    if not secrets:
        raise SignatureRejected("no secret configured")
    found = -1
    for index, secret in enumerate(secrets):
        want = expected(secret)
        for candidate in candidates:
            if hmac.compare_digest(want.encode(), candidate.strip().encode()) and found < 0:
                found = index
    if found < 0:
        raise SignatureRejected("signature does not match")
    return found


def require(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise SignatureRejected(f"missing {what}")
    return value


def check_window(timestamp_s: float, now_s: float, window_s: float) -> None:
    """Timestamped schemes reject stale and future deliveries (replayed captures). A timestamp that
    is not finite ("nan" parses as a float) is outside every window: NaN compares false to all."""
    if not math.isfinite(timestamp_s):
        raise SignatureRejected(f"timestamp is not a finite number: {timestamp_s}")
    if abs(now_s - timestamp_s) > window_s:
        raise SignatureRejected(
            f"timestamp outside the replay window ({window_s:.0f}s): {now_s - timestamp_s:+.0f}s old"
        )
