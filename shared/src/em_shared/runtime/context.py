"""What a running service hands to its handlers: settings, bus, database, publisher, RPC client."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from faststream.nats import NatsBroker

from em_shared.contracts.subjects import Topology
from em_shared.messaging.publisher import EventPublisher
from em_shared.messaging.rpc import RpcClient


@dataclass
class ServiceContext:
    """Built once in the lifespan; passed to `register` and stored on `app.state.ctx`."""

    name: str
    version: str
    settings: Any
    topology: Topology
    broker: NatsBroker
    pool: asyncpg.Pool | None
    schema: str | None
    publisher: EventPublisher
    rpc: RpcClient
    started_at: float = field(default_factory=time.monotonic)
    # Service-specific objects (handlers, repositories) live here, keyed by name.
    state: dict[str, Any] = field(default_factory=dict)
    migrations_applied: bool = False
