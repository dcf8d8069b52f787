"""`emctl`: what operators need beyond the `nats` CLI, spoken over NATS.

    emctl status                 ping every service (rpc.<service>.ping)
    emctl streams [--apply]      stream config vs the subject table, message counts
    emctl consumers              every durable consumer with pending / ack-pending lag
    emctl deadletters            dead-lettered messages per consumer

Services add their own commands through the `em_agent.emctl` entry point group (ingest-svc adds
`send` and `replay`). Connection settings come from NATS_URL and EM_NAMESPACE (see `.run/env`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

import nats
from nats.js.errors import NotFoundError

from em_shared.contracts.health import Ping, Pong
from em_shared.contracts.subjects import SERVICES, S, Topology
from em_shared.messaging.errors import RpcFailure
from em_shared.messaging.rpc import RpcClient
from em_shared.messaging.streams import StreamDrift, declare_streams


def _topology() -> Topology:
    return Topology(os.environ.get("EM_NAMESPACE", ""))


def _nats_url() -> str:
    return os.environ.get("NATS_URL", "nats://127.0.0.1:14222")


async def cmd_status(args: argparse.Namespace) -> int:
    nc = await nats.connect(_nats_url(), connect_timeout=3, max_reconnect_attempts=0)
    rpc = RpcClient(nc, _topology(), timeout_s=args.timeout)
    failures = 0
    try:
        results = await asyncio.gather(
            *(rpc.call(S.ping(s), Ping(), Pong) for s in SERVICES), return_exceptions=True
        )
        print(f"{'service':<10} {'state':<10} {'version':<9} {'uptime':>9}  instance")
        for service, result in zip(SERVICES, results, strict=True):
            if isinstance(result, Pong):
                state = "ready" if result.ready else "not-ready"
                failures += 0 if result.ready else 1
                print(
                    f"{service:<10} {state:<10} {result.version:<9} {result.uptime_s:>8.0f}s  {result.instance}"
                )
            else:
                failures += 1
                reason = result.message if isinstance(result, RpcFailure) else repr(result)
                print(f"{service:<10} {'down':<10} {'-':<9} {'-':>9}  {reason}")
    finally:
        await nc.close()
    return 1 if failures else 0


async def cmd_streams(args: argparse.Namespace) -> int:
    nc = await nats.connect(_nats_url(), connect_timeout=3, max_reconnect_attempts=0)
    js = nc.jetstream()
    topology = _topology()
    try:
        try:
            for outcome in await declare_streams(js, topology, apply_changes=args.apply):
                info = await js.stream_info(outcome.stream)
                print(
                    f"{outcome.stream:<16} {outcome.action:<10} messages={info.state.messages:<8} "
                    f"bytes={info.state.bytes:<10} consumers={info.state.consumer_count}"
                )
        except StreamDrift as drift:
            print(f"drift: {drift}", file=sys.stderr)
            return 2
    finally:
        await nc.close()
    return 0


async def cmd_consumers(_: argparse.Namespace) -> int:
    nc = await nats.connect(_nats_url(), connect_timeout=3, max_reconnect_attempts=0)
    js = nc.jetstream()
    topology = _topology()
    try:
        print(f"{'stream':<16} {'consumer':<36} {'pending':>8} {'ack-pending':>11} {'redelivered':>11}")
        for spec in topology.streams:
            try:
                consumers = await js.consumers_info(topology.stream(spec.name))
            except NotFoundError:
                continue
            for c in consumers:
                print(
                    f"{c.stream_name:<16} {c.name:<36} {c.num_pending or 0:>8} {c.num_ack_pending or 0:>11} "
                    f"{c.num_redelivered or 0:>11}"
                )
    finally:
        await nc.close()
    return 0


async def cmd_deadletters(_: argparse.Namespace) -> int:
    nc = await nats.connect(_nats_url(), connect_timeout=3, max_reconnect_attempts=0)
    js = nc.jetstream()
    topology = _topology()
    try:
        try:
            info = await js.stream_info(topology.stream("DEADLETTER"), subjects_filter=">")
        except NotFoundError:
            print("no DEADLETTER stream yet")
            return 0
        for subject, count in sorted((info.state.subjects or {}).items()):
            print(f"{subject:<60} {count}")
    finally:
        await nc.close()
    return 0


COMMANDS: dict[
    str, tuple[str, Callable[[argparse.Namespace], Any], Callable[[argparse.ArgumentParser], Any]]
] = {
    "status": (
        "ping every service over NATS",
        cmd_status,
        lambda p: p.add_argument("--timeout", type=float, default=2.0),
    ),
    "streams": (
        "streams vs the subject table",
        cmd_streams,
        lambda p: p.add_argument("--apply", action="store_true", help="update drifted streams"),
    ),
    "consumers": ("consumer lag", cmd_consumers, lambda p: None),
    "deadletters": ("dead-lettered messages per consumer", cmd_deadletters, lambda p: None),
}


def _plugin_commands() -> None:
    for ep in entry_points(group="em_agent.emctl"):
        try:
            register = ep.load()
        except Exception as exc:  # a broken plugin must not take the core commands down with it
            print(f"emctl: plugin {ep.name} unavailable: {exc}", file=sys.stderr)
            continue
        register(COMMANDS)


def main(argv: list[str] | None = None) -> int:
    _plugin_commands()
    parser = argparse.ArgumentParser(
        prog="emctl", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _, configure) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    handler = COMMANDS[args.command][1]
    try:
        return int(asyncio.run(handler(args)) or 0)
    except (OSError, nats.errors.NoServersError) as exc:
        print(f"emctl: cannot reach NATS at {_nats_url()}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
