"""Open-loop load at a fixed rate (what wrk2 does; wrk2 is not packaged for Debian).

Request i is due at t0 + i/rate whatever happened to earlier ones; it goes out on an idle keep-alive
connection (a new one when none is idle, as a vendor's many senders would) and its latency counts
from the moment it was DUE, so a stalled server cannot hide its queue (no coordinated omission).
Raw HTTP/1.1 over asyncio streams on uvloop keeps the generator's own CPU small next to the server's.

    python bench/ingest/openloop.py --port 8000 --rate 1000 --duration 10   (prints one JSON line)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

import uvloop
from mix import deliveries

sys.path.insert(0, str(Path(__file__).parents[1] / "common"))
from rawhttp import Client, raw_request


async def run(port: int, rate: float, duration: float, max_connections: int, warmup_s: float) -> dict:
    total = int(rate * (duration + warmup_s))
    host = f"127.0.0.1:{port}"
    requests = [raw_request(p, h, b, host) for p, h, b in deliveries(total)]
    cpu0 = time.process_time()
    client = Client("127.0.0.1", port, max_connections)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    late = 0
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.2
    tasks = set()

    async def one(i: int, due: float) -> None:
        status = await client.send(requests[i])
        if due - t0 >= warmup_s:
            latencies.append(loop.time() - due)
            statuses[status] = statuses.get(status, 0) + 1

    for i in range(total):
        due = t0 + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late += 1  # the generator itself fell behind (it still counts from `due`)
        if client.saturated:
            statuses[-1] = statuses.get(-1, 0) + 1  # would exceed the connection cap: counted as failed
            continue
        task = asyncio.create_task(one(i, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(n - 1, int(p / 100 * n))] * 1000, 2) if n else float("nan")

    return {
        "rate": rate,
        "sent": n,
        "achieved_rps": round(n / duration, 1),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if n else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connections": client.open,
        "generator_late": late,
        "generator_cpu_s": round(time.process_time() - cpu0, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--max-connections", type=int, default=512)
    args = ap.parse_args()
    result = uvloop.run(run(args.port, args.rate, args.duration, args.max_connections, args.warmup))
    print("JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
