"""Every event and RPC message on the bus, and the one table of subjects and streams."""

from em_shared.contracts.base import Event, RpcError, RpcReply, RpcRequest, deterministic_id, utcnow
from em_shared.contracts.subjects import EVENTS, RPCS, STREAMS, S, Topology

__all__ = [
    "EVENTS",
    "RPCS",
    "STREAMS",
    "Event",
    "RpcError",
    "RpcReply",
    "RpcRequest",
    "S",
    "Topology",
    "deterministic_id",
    "utcnow",
]
