"""Fetch and cache SNS signing certificates; the URL is checked (pure) before any request is made.

The fetcher is a constructor parameter, so tests serve a locally generated certificate without a
network, and production uses httpx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ingest_svc.domain.verification import sns
from ingest_svc.domain.verification.base import SignatureRejected, Verified

Fetcher = Callable[[str], Awaitable[bytes]]


async def fetch_https(url: str) -> bytes:
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.content


class SnsVerifier:
    """Verifies SNS messages; certificates are cached by URL (they are immutable per URL)."""

    def __init__(self, fetcher: Fetcher = fetch_https, max_cached: int = 64) -> None:
        self._fetch = fetcher
        self._cache: dict[str, bytes] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._max = max_cached

    async def certificate(self, url: str) -> bytes:
        sns.check_cert_url(url)
        if (pem := self._cache.get(url)) is not None:
            return pem
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            if (pem := self._cache.get(url)) is None:
                try:
                    pem = await self._fetch(url)
                except Exception as exc:
                    raise SignatureRejected(
                        f"cannot fetch SNS signing certificate: {type(exc).__name__}"
                    ) from exc
                if len(self._cache) >= self._max:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[url] = pem
        return pem

    async def verify(self, payload: Any, allowed_topics: list[str]) -> Verified:
        message = sns.envelope(payload)
        pem = await self.certificate(message["SigningCertURL"])
        return sns.verify_with_certificate(message, pem, allowed_topics)

    async def confirm(self, subscribe_url: str) -> None:
        """Visit a verified SubscriptionConfirmation's SubscribeURL (same host rule as certificates)."""
        sns.check_sns_url(subscribe_url, "SubscribeURL")
        await self._fetch(subscribe_url)
