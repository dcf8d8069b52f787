"""`rpc.<service>.ping`: every service answers with its name, version and readiness."""

from __future__ import annotations

import msgspec

from em_shared.contracts.base import RpcRequest


class Ping(RpcRequest, frozen=True, kw_only=True):
    pass


class Pong(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    version: str
    instance: str
    ready: bool
    uptime_s: float
