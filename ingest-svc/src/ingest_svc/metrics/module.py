"""The seam between ingest-svc's wiring (app.py) and the metrics module.

app.py adds `ROUTES` to its HTTP routes and calls `register`, `on_started` and `on_stopping` from
its own hooks; everything else about metrics stays inside this package.
"""

from __future__ import annotations

from typing import Any

from em_shared.runtime.context import ServiceContext

ROUTES: list[Any] = []


async def register(ctx: ServiceContext) -> None:
    """Open the metrics schema, subscribe to canonical and incident events, serve rpc.metrics.*."""


async def on_started(ctx: ServiceContext) -> None:
    """Start background work (closing attribution windows, publishing rollups)."""


async def on_stopping(ctx: ServiceContext) -> None:
    """Stop background work and close what `register` opened."""
