"""GitLab: `X-Gitlab-Token` carries the shared secret itself (no HMAC); compared in constant time."""

from __future__ import annotations

from ingest_svc.domain.verification.base import SignedRequest, Verified, match_any, require

HEADER = "X-Gitlab-Token"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    return Verified("gitlab-token", match_any([value], secrets, lambda s: s))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: secret}
