"""The catalog as normalizers see it: an in-memory snapshot of the table, refreshed on edits and
every few seconds (so several ingest processes converge without coordination)."""

from __future__ import annotations

import time

import asyncpg
import msgspec

from ingest_svc import repository
from ingest_svc.domain.catalog import Catalog, CatalogService


class CatalogCache:
    def __init__(self, pool: asyncpg.Pool, max_age_s: float = 10.0) -> None:
        self._pool = pool
        self._max_age = max_age_s
        self._catalog = Catalog()
        self._loaded_at = 0.0

    async def current(self) -> Catalog:
        if time.monotonic() - self._loaded_at > self._max_age:
            await self.refresh()
        return self._catalog

    async def refresh(self) -> Catalog:
        docs = await repository.list_catalog(self._pool)
        self._catalog = Catalog(msgspec.convert(d, CatalogService) for d in docs)
        self._loaded_at = time.monotonic()
        return self._catalog
