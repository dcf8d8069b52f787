"""API keys with scopes (EM_API_KEYS='key1:chat,key2:chat+admin') and per-key rate limits.

Keys are compared by SHA-256 digest in constant time and never stored or logged; a caller is
known by a short digest of its key, which is also what owns its sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from litestar.exceptions import HTTPException

from agent_svc.domain.ratelimit import RateLimiter
from agent_svc.handlers.chat import Caller

SCOPES = frozenset({"chat", "admin"})


def key_id(key: str) -> str:
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def parse_api_keys(spec: str) -> dict[str, frozenset[str]]:
    """digest -> scopes. Raises ValueError naming a malformed entry or an unknown scope."""
    keys: dict[str, frozenset[str]] = {}
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        key, sep, scopes_raw = entry.partition(":")
        scopes = frozenset(s.strip() for s in scopes_raw.split("+") if s.strip())
        if not key or not sep or not scopes or not scopes <= SCOPES:
            raise ValueError(
                f"EM_API_KEYS: bad entry {entry.split(':')[0][:4]}…: want key:scope[+scope] "
                f"with scopes from {sorted(SCOPES)}"
            )
        keys[hashlib.sha256(key.encode()).hexdigest()] = scopes
    return keys


def development_key() -> str:
    return "em-dev-" + secrets.token_urlsafe(18)


class Authenticator:
    def __init__(self, keys: dict[str, frozenset[str]], limiter: RateLimiter) -> None:
        self._keys = keys
        self._limiter = limiter

    def authenticate(self, authorization: str | None, scope: str) -> Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                status_code=401,
                detail="send the API key as 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        scopes = next((s for d, s in self._keys.items() if hmac.compare_digest(d, digest)), None)
        if scopes is None:
            raise HTTPException(
                status_code=401, detail="unknown API key", headers={"WWW-Authenticate": "Bearer"}
            )
        if scope not in scopes:
            raise HTTPException(status_code=403, detail=f"this API key lacks the '{scope}' scope")
        caller = Caller(key_id=key_id(token.strip()), scopes=scopes)
        wait = self._limiter.check(caller.key_id, time.monotonic())
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail="rate limit exceeded for this API key",
                headers={"Retry-After": str(max(1, int(wait + 0.999)))},
            )
        return caller
