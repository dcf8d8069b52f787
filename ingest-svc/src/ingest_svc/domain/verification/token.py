"""Unsigned sources (Alertmanager, Datadog, New Relic, Jenkins, ArgoCD, Kubernetes, EventBridge API
destinations): a per-source token the vendor can be configured to send, compared in constant time.

Accepted carriers: `Authorization: Bearer <token>`, `Authorization: Basic` whose password (or whole
`user:password`) is the token, or an `X-Webhook-Token` header (Datadog custom headers, EventBridge API keys).
"""

from __future__ import annotations

import base64
import binascii

from ingest_svc.domain.verification.base import SignatureRejected, SignedRequest, Verified, match_any

HEADER = "X-Webhook-Token"


def presented_tokens(req: SignedRequest) -> list[str]:
    tokens: list[str] = []
    auth = req.header("Authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value:
        tokens.append(value.strip())
    elif scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise SignatureRejected("malformed Basic credentials") from exc
        user, _, password = decoded.partition(":")
        tokens.extend([password, decoded] if password else [user])
    if req.header(HEADER):
        tokens.append(req.header(HEADER) or "")
    return tokens


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    tokens = presented_tokens(req)
    if not tokens:
        raise SignatureRejected(f"missing token (Authorization: Bearer/Basic or {HEADER})")
    return Verified("token", match_any(tokens, secrets, lambda s: s))


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
