"""Run a real service (uvicorn + NATS + PostgreSQL) inside the test process, on a free port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import uvicorn

from em_shared.devenv.processes import free_port
from em_shared.runtime.context import ServiceContext
from em_shared.runtime.host import ServiceDefinition, build_app


@dataclass
class LiveService:
    url: str
    app: object
    server: uvicorn.Server

    @property
    def ctx(self) -> ServiceContext:
        return self.app.state.ctx  # type: ignore[attr-defined]

    def client(self, **kwargs: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def live_service(defn: ServiceDefinition, settings: object) -> AsyncIterator[LiveService]:
    """Serve `defn` over real HTTP until the block ends, then shut it down gracefully."""
    port = free_port()
    app = build_app(defn, settings)  # type: ignore[arg-type]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(600):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    else:
        raise TimeoutError(f"{defn.name} did not start")
    try:
        yield LiveService(f"http://127.0.0.1:{port}", app, server)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
