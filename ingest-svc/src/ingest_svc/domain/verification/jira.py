"""Jira: a webhook created with a secret sends `X-Hub-Signature: sha256=<hex HMAC-SHA256>` (WebSub style)."""

from __future__ import annotations

from ingest_svc.domain.verification.base import SignedRequest, Verified, hex_hmac, match_any, require

HEADER = "X-Hub-Signature"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    value = require(req.header(HEADER), HEADER)
    index = match_any([value], secrets, lambda s: "sha256=" + hex_hmac(s, req.body))
    return Verified("jira-hmac-sha256", index)


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {HEADER: "sha256=" + hex_hmac(secret, body)}
