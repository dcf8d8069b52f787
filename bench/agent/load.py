"""Load benchmark: N concurrent chat sessions against agent-svc with a fake model of fixed latency.

Four processes, so no one's CPU is billed to another: agent-svc (`python -m agent_svc`, with
EM_LLM_CHAIN=anthropic pointed at the fake provider), the fake provider (1 s before the first token
of every call), the metrics/incident/rag services played by NATS responders (`--serve-doubles`), and
this client. Each session streams its questions over SSE, `--turns` of them one after the other
(follow-ups after the first); sessions start together (`--ramp 0`, a burst: every model call of every
session lands in the same instant) or spread over `--ramp` seconds (steady state).

Reported per turn: end-to-end p50/p95; overhead beyond model time (end-to-end minus the model time on
the critical path that agent-svc reports, `timing.model_ms`); the same overhead measured inside
agent-svc (`timing.overhead_ms`, free of this client's delays) with its per-stage split; time from
the model's first synthesis token to the client receiving its first token; errors; and the CPU time
each process spent per turn during the measured run.
Run: `.venv/bin/python bench/agent/load.py [--sessions 100] [--latency 1.0] [--turns 1] [--ramp 0]
[--instances 1] [--subagent-procs 0]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace
from typing import Any

import aiohttp
import httpx
from agent_svc.testing.doubles import parse_sse, run_doubles
from em_shared.contracts.subjects import Topology
from em_shared.devenv.processes import free_port
from em_shared.testing.servers import TestServers

QUESTIONS = [
    "What is the deployment frequency for the {team} team this month?",
    "Any open incidents for the {team} team?",
    "How long do code reviews take for the {team} team?",
    "Are we on track for the {team} team's OKRs?",
    "Show open incidents and the change failure rate for the {team} team",
]
FOLLOW_UPS = ["And for the {team} team?", "What about last week?", "and for the {team} team?"]
TEAMS = ["payments", "checkout", "search", "platform", "growth"]
IDLE_S = 2.0


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (threads that ended included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_ns(pid: int) -> int:
    """Nanoseconds on CPU of a process's live threads (the scheduler's clock, finer than cpu_s)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that just ended
            continue
    return total


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def p50_p95(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"p50": round(statistics.median(values), 1), "p95": round(pct(values, 95), 1)}


async def wait_http(url: str, deadline_s: float = 120) -> None:
    started = time.monotonic()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < deadline_s:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(url)


async def one_turn(
    client: aiohttp.ClientSession, base: str, session_id: str, message: str, key: str
) -> dict[str, Any]:
    started = time.perf_counter()
    first_event_ms = first_token_wall = None
    chunks: list[bytes] = []
    async with client.post(
        f"{base}/v2/agent/chat?stream=true",
        json={"message": message, "session_id": session_id},
        headers={"Authorization": f"Bearer {key}"},
    ) as response:
        if response.status != 200:
            return {"error": f"HTTP {response.status}"}
        async for chunk in response.content.iter_any():
            if first_event_ms is None:
                first_event_ms = (time.perf_counter() - started) * 1000
            if first_token_wall is None and b"event: token" in chunk:
                first_token_wall = time.time()
            chunks.append(chunk)
    total_ms = (time.perf_counter() - started) * 1000
    events = parse_sse(b"".join(chunks).decode())
    if not events or events[-1][0] != "done":
        return {"error": f"no done event: {events[-1] if events else chunks[:1]}"}
    done = events[-1][1]
    if done["degraded"]:
        return {"error": f"degraded: {done['degraded']}"}
    return {
        "session_id": session_id,
        "total_ms": total_ms,
        "model_ms": done["timing"]["model_ms"],
        # Absent from agent-svc versions before these fields existed (the bench also measures those).
        "server_overhead_ms": done["timing"].get("overhead_ms"),
        "stages_ms": done["timing"].get("stages_ms", {}),
        # From sending the request to the first SSE event (the session, emitted once it is read).
        "first_event_ms": first_event_ms,
        "first_token_wall": first_token_wall,
    }


async def one_session(
    client: aiohttp.ClientSession, bases: list[str], i: int, key: str, turns: int, delay_s: float
) -> list[Any]:
    await asyncio.sleep(delay_s)
    session_id = f"bench-{uuid.uuid4().hex[:12]}"
    out: list[Any] = []
    for t in range(turns):
        template = QUESTIONS[i % len(QUESTIONS)] if t == 0 else FOLLOW_UPS[(i + t) % len(FOLLOW_UPS)]
        message = template.format(team=TEAMS[(i + t) % len(TEAMS)]) + f" (bench {i}.{t})"
        try:
            out.append(await one_turn(client, bases[i % len(bases)], session_id, message, key))
        except Exception as exc:  # a failed turn is counted, not fatal to the run
            out.append({"error": repr(exc)})
    return out


def serve_doubles(nats_url: str, namespace: str) -> None:
    """The other services as NATS responders, in their own process until SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with run_doubles(SimpleNamespace(nats_url=nats_url), Topology(namespace)):
            print("doubles ready", flush=True)
            await stop.wait()

    asyncio.run(main())


async def run(
    sessions: int, latency: float, turns: int, ramp_s: float, instances: int, subagent_procs: int = 0
) -> dict[str, Any]:
    servers = TestServers.start()
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    fake_port = free_port()
    agent_ports = [free_port() for _ in range(instances)]
    key = "bench-key"
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        procs["fake-llm"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "agent_svc.testing.fake_llm",
                "--port",
                str(fake_port),
                "--latency",
                str(latency),
            ]
        )
        procs["doubles"] = subprocess.Popen(
            [sys.executable, __file__, "--serve-doubles", servers.nats_url, namespace], stdout=subprocess.PIPE
        )
        assert procs["doubles"].stdout is not None
        procs["doubles"].stdout.readline()  # "doubles ready"
        env = {
            **os.environ,
            "NATS_URL": servers.nats_url,
            "DATABASE_URL": servers.database_url,
            "EM_NAMESPACE": namespace,
            "EM_API_KEYS": f"{key}:chat",
            "EM_LLM_CHAIN": "anthropic",
            "EM_ANTHROPIC_BASE_URL": f"http://127.0.0.1:{fake_port}",
            "ANTHROPIC_API_KEY": "bench",
            "EM_AGENT_RATE_PER_MIN": "100000",
            "EM_AGENT_RATE_BURST": "100000",
            "EM_AGENT_CACHE_TTL_S": "0",
            "DB_POOL_MIN": "20",
            "DB_POOL_MAX": "20",
            "LOG_LEVEL": "warning",
        }
        # BENCH_PROFILE=/tmp/agent.prof: profile agent-svc (cProfile) for the run.
        profile = (
            ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if os.environ.get("BENCH_PROFILE") else []
        )
        # Instances share the namespace (schema, queue groups): sessions alternate between their HTTP
        # ports, NATS spreads sub-agent runs over them. Started one by one (migrations run once).
        for n, port in enumerate(agent_ports):
            procs[f"agent-svc-{n}"] = subprocess.Popen(
                [sys.executable, *(profile if n == 0 else []), "-m", "agent_svc"],
                env={
                    **env,
                    "AGENT_PORT": str(port),
                    "EM_AGENT_SERVE_SUBAGENTS": "false" if subagent_procs else "true",
                },
                stdout=sys.stderr,  # its logs; stdout carries only the figures
            )
            await wait_http(f"http://127.0.0.1:{port}/ready")
        # --subagent-procs K: the front ends above only chat; K more agent-svc processes run the
        # sub-agents (EM_AGENT_SERVE_SUBAGENTS, the deployment option), NATS spreads runs over them.
        for n in range(subagent_procs):
            port = free_port()
            procs[f"agent-svc-subagents-{n}"] = subprocess.Popen(
                [sys.executable, "-m", "agent_svc"],
                env={**env, "AGENT_PORT": str(port), "EM_AGENT_SERVE_SUBAGENTS": "true"},
                stdout=sys.stderr,
            )
            await wait_http(f"http://127.0.0.1:{port}/ready")
        bases = [f"http://127.0.0.1:{port}" for port in agent_ports]
        # aiohttp: httpx's pool probes every idle connection per request, which made this client
        # (not agent-svc) a visible part of the measured overhead at 100 sessions.
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120),
            connector=aiohttp.TCPConnector(limit=0),
        ) as c:
            # Warm-up: opens connections (client, SDK, database pool) and fills the caches of code paths.
            await asyncio.gather(*(one_session(c, bases, i, key, 1, 0) for i in range(min(sessions, 20))))
            # Idle CPU (timers, heartbeats, batch writers, consumers' pulls) over a quiet second or two:
            # it is billed to every turn of a run, so CPU/turn is read against it.
            idle_before = {name: run_ns(p.pid) for name, p in procs.items()}
            await asyncio.sleep(IDLE_S)
            idle_ms_per_s = {
                name: round((run_ns(p.pid) - idle_before[name]) / 1e6 / IDLE_S, 2)
                for name, p in procs.items()
            }
            print(f"bench: measuring {sessions} sessions x {turns} turns", file=sys.stderr, flush=True)
            cpu_before = {name: cpu_s(p.pid) for name, p in procs.items()}
            bench_cpu = time.process_time()
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            per_session = await asyncio.gather(
                *(one_session(c, bases, i, key, turns, ramp_s * i / sessions) for i in range(sessions))
            )
            wall_s = time.perf_counter() - started
            n_turns = sessions * turns
            cpu_ms = {name: (cpu_s(p.pid) - cpu_before[name]) * 1000 / n_turns for name, p in procs.items()}
            cpu_ms["agent-svc (all instances)"] = sum(
                v for k, v in cpu_ms.items() if k.startswith("agent-svc-")
            )
            cpu_ms["bench client"] = (time.process_time() - bench_cpu) * 1000 / n_turns
            load = (load_before, os.getloadavg()[0])
        async with httpx.AsyncClient() as c:
            exchanges = (await c.get(f"http://127.0.0.1:{fake_port}/_fake/exchanges")).json()
    finally:
        for p in reversed(procs.values()):
            p.terminate()
            p.wait(timeout=30)
        servers.stop()
    results = [r for session in per_session for r in session]
    ok = [r for r in results if "error" not in r]
    errors = [r["error"] for r in results if "error" in r]
    # The k-th streamed call of a session is its k-th turn's synthesis.
    synth: dict[str, list[float]] = {}
    for e in sorted(exchanges, key=lambda e: e["received_at"]):
        if e["stream"] and e["user_tag"] and e["first_token_at"]:
            synth.setdefault(e["user_tag"], []).append(e["first_token_at"])
    ttft: list[float] = []
    for session in per_session:
        for k, r in enumerate(session):
            firsts = synth.get(r.get("session_id", ""), [])
            if "error" not in r and r["first_token_wall"] and k < len(firsts):
                ttft.append((r["first_token_wall"] - firsts[k]) * 1000)
    stage_names = sorted({k for r in ok for k in r["stages_ms"]})
    return {
        "sessions": sessions,
        "turns_per_session": turns,
        "agent_instances": instances,
        "subagent_processes": subagent_procs,
        "ramp_s": ramp_s,
        "model_latency_s": latency,
        "wall_s": round(wall_s, 2),
        "turns_ok": len(ok),
        "errors": len(errors),
        "error_samples": errors[:3],
        "e2e_ms": p50_p95([r["total_ms"] for r in ok]),
        "model_ms_critical_path": p50_p95([r["model_ms"] for r in ok]),
        "overhead_ms": p50_p95([r["total_ms"] - r["model_ms"] for r in ok]),
        "server_overhead_ms": p50_p95(
            [r["server_overhead_ms"] for r in ok if r["server_overhead_ms"] is not None]
        ),
        "first_event_ms": p50_p95([r["first_event_ms"] for r in ok]),
        "server_stages_ms_p50": {
            k: round(statistics.median([r["stages_ms"][k] for r in ok if k in r["stages_ms"]]), 1)
            for k in stage_names
        },
        "first_token_after_model_ms": {**(p50_p95(ttft) or {}), "n": len(ttft)},
        "cpu_ms_per_turn": {k: round(v, 1) for k, v in cpu_ms.items()},
        "idle_cpu_ms_per_s": idle_ms_per_s,
        "load_avg_1m_before_after": [round(x, 2) for x in load],
        "model_calls": len(exchanges),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-doubles":
        serve_doubles(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--turns", type=int, default=1, help="questions per session, one after the other")
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds over which sessions start")
    parser.add_argument("--instances", type=int, default=1, help="agent-svc processes (scale-out)")
    parser.add_argument(
        "--subagent-procs",
        type=int,
        default=0,
        help="extra agent-svc processes that run the sub-agents (the front ends then only chat)",
    )
    args = parser.parse_args()
    result = asyncio.run(
        run(args.sessions, args.latency, args.turns, args.ramp, args.instances, args.subagent_procs)
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
