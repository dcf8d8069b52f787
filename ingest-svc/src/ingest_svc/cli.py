"""`emctl send` and `emctl replay`, registered through the `em_agent.emctl` entry point group.

emctl send tests/fixtures/webhooks/github/push.json [--url URL] [--instance NAME] [--fresh]
emctl replay --source github --status failed --since 2024-06-01T00:00:00Z [--until ...]
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx


def _configure_send(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "fixture", type=Path, help="a fixture file {source, headers, body} (tests/fixtures/webhooks)"
    )
    p.add_argument(
        "--url", default=os.environ.get("INGEST_URL", "http://127.0.0.1:8000"), help="ingest-svc base URL"
    )
    p.add_argument("--instance", default="", help="source instance (its own secret)")
    p.add_argument(
        "--fresh", action="store_true", help="new delivery id, so it is not collapsed as a redelivery"
    )


async def cmd_send(args: argparse.Namespace) -> int:
    from ingest_svc import samples
    from ingest_svc.secrets import PREFIX

    sample = samples.load(args.fixture)
    if args.fresh:
        sample = sample.fresh()
    sample = sample.refresh_timestamps()
    var = f"{PREFIX}{sample.source.upper()}" + (f"_{args.instance.upper()}" if args.instance else "")
    secret = os.environ.get(var, "").split(",")[0].strip()
    headers = sample.signed(secret) if secret else dict(sample.headers)
    if not secret:
        print(f"emctl: {var} is not set; sending unsigned (works only for EM_WEBHOOK_INSECURE_SOURCES)")
    path = f"/webhooks/{sample.source}" + (f"/{args.instance}" if args.instance else "")
    async with httpx.AsyncClient(base_url=args.url, timeout=10) as http:
        response = await http.post(path, content=sample.body, headers=headers)
    print(f"{response.status_code} {response.text}")
    return 0 if response.is_success else 1


def _configure_replay(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", help="only this source (github, pagerduty, ...)")
    p.add_argument("--status", choices=["pending", "published", "ignored", "failed"], help="only this status")
    p.add_argument("--since", type=datetime.fromisoformat, help="received at or after (ISO 8601)")
    p.add_argument("--until", type=datetime.fromisoformat, help="received before (ISO 8601)")
    p.add_argument("--limit", type=int, default=10_000)


async def cmd_replay(args: argparse.Namespace) -> int:
    import nats
    from em_shared.contracts.deliveries import ReplayRequest, ReplayResult
    from em_shared.contracts.subjects import S, Topology
    from em_shared.messaging.errors import RpcFailure
    from em_shared.messaging.rpc import RpcClient

    nc = await nats.connect(
        os.environ.get("NATS_URL", "nats://127.0.0.1:14222"), connect_timeout=3, max_reconnect_attempts=0
    )
    try:
        rpc = RpcClient(nc, Topology(os.environ.get("EM_NAMESPACE", "")), timeout_s=30)
        request = ReplayRequest(
            source=args.source, status=args.status, since=args.since, until=args.until, limit=args.limit
        )
        try:
            result = await rpc.call(S.INGEST_REPLAY, request, ReplayResult)
        except RpcFailure as exc:
            print(f"emctl: replay failed: {exc.message}")
            return 1
        print(
            f"queued {result.queued} deliveries for re-normalization (same event ids: consumers drop repeats)"
        )
    finally:
        await nc.close()
    return 0


Command = tuple[str, Callable[[argparse.Namespace], Any], Callable[[argparse.ArgumentParser], None]]


def register_commands(commands: dict[str, Command]) -> None:
    commands["send"] = ("sign and send a sample webhook delivery to ingest-svc", cmd_send, _configure_send)
    commands["replay"] = ("re-run normalization of stored deliveries", cmd_replay, _configure_replay)
