"""Load benchmark: N concurrent chat sessions against agent-svc with a fake model of fixed latency.

agent-svc runs as its own process (`python -m agent_svc`) with EM_LLM_CHAIN=anthropic pointed at the
fake provider (its own process, 1 s before the first token of every call); the metrics, incident
and rag services are played by NATS responders in this process. Each session streams one question
(SSE). Reported: end-to-end p50/p95, overhead beyond model time (end-to-end minus the model time on
the critical path that agent-svc reports per answer), the same overhead measured inside agent-svc
(`timing.overhead_ms`, free of the load generator's own delays) with its per-stage split, time from
the model's first synthesis token to the client receiving its first token, errors, and the CPU time
each process spent per session during the measured run (agent-svc, fake provider, this process).
Run: `.venv/bin/python bench/agent/load.py [--sessions 100] [--latency 1.0]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

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
TEAMS = ["payments", "checkout", "search", "platform", "growth"]


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def wait_http(url: str, deadline_s: float = 60) -> None:
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


async def one_session(client: httpx.AsyncClient, i: int, key: str) -> dict:
    session_id = f"bench-{uuid.uuid4().hex[:12]}"
    message = QUESTIONS[i % len(QUESTIONS)].format(team=TEAMS[i % len(TEAMS)]) + f" (bench {i})"
    started = time.perf_counter()
    first_token_wall = None
    buffer = ""
    async with client.stream(
        "POST",
        "/v2/agent/chat?stream=true",
        json={"message": message, "session_id": session_id},
        headers={"Authorization": f"Bearer {key}"},
    ) as response:
        if response.status_code != 200:
            return {"error": f"HTTP {response.status_code}"}
        async for chunk in response.aiter_text():
            if first_token_wall is None and "event: token" in chunk:
                first_token_wall = time.time()
            buffer += chunk
    total_ms = (time.perf_counter() - started) * 1000
    events = parse_sse(buffer)
    if not events or events[-1][0] != "done":
        return {"error": f"no done event: {events[-1] if events else buffer[:200]}"}
    done = events[-1][1]
    return {
        "session_id": session_id,
        "total_ms": total_ms,
        "model_ms": done["timing"]["model_ms"],
        "server_overhead_ms": done["timing"]["overhead_ms"],
        "stages_ms": done["timing"]["stages_ms"],
        "first_token_wall": first_token_wall,
        "degraded": done["degraded"],
    }


async def run(sessions: int, latency: float) -> dict:
    servers = TestServers.start()
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    fake_port, agent_port = free_port(), free_port()
    key = "bench-key"
    procs = []
    try:
        procs.append(
            subprocess.Popen(
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
        )
        env = {
            **os.environ,
            "NATS_URL": servers.nats_url,
            "DATABASE_URL": servers.database_url,
            "EM_NAMESPACE": namespace,
            "AGENT_PORT": str(agent_port),
            "EM_API_KEYS": f"{key}:chat",
            "EM_LLM_CHAIN": "anthropic",
            "EM_ANTHROPIC_BASE_URL": f"http://127.0.0.1:{fake_port}",
            "ANTHROPIC_API_KEY": "bench",
            "EM_AGENT_RATE_PER_MIN": "100000",
            "EM_AGENT_RATE_BURST": "100000",
            "EM_AGENT_CACHE_TTL_S": "0",
            "DB_POOL_MAX": "20",
            "LOG_LEVEL": "warning",
        }
        # BENCH_PROFILE=/tmp/agent.prof: profile agent-svc (cProfile) for the run.
        profile = (
            ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if os.environ.get("BENCH_PROFILE") else []
        )
        procs.append(subprocess.Popen([sys.executable, *profile, "-m", "agent_svc"], env=env))
        async with run_doubles(servers, Topology(namespace)):
            await wait_http(f"http://127.0.0.1:{agent_port}/ready")
            limits = httpx.Limits(max_connections=sessions + 10, max_keepalive_connections=sessions + 10)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{agent_port}", timeout=120, limits=limits
            ) as c:
                await asyncio.gather(*(one_session(c, i, key) for i in range(5)))  # warm-up
                print(f"bench: measuring {sessions} sessions", file=sys.stderr, flush=True)
                cpu_before = {"agent-svc": cpu_s(procs[1].pid), "fake-llm": cpu_s(procs[0].pid)}
                bench_cpu = time.process_time()
                load_before = os.getloadavg()[0]
                started = time.perf_counter()
                results = await asyncio.gather(
                    *(one_session(c, i, key) for i in range(sessions)), return_exceptions=True
                )
                wall_s = time.perf_counter() - started
                cpu_ms = {
                    "agent-svc": (cpu_s(procs[1].pid) - cpu_before["agent-svc"]) * 1000 / sessions,
                    "fake-llm": (cpu_s(procs[0].pid) - cpu_before["fake-llm"]) * 1000 / sessions,
                    "bench (client + service doubles)": (time.process_time() - bench_cpu) * 1000 / sessions,
                }
                load = (load_before, os.getloadavg()[0])
            async with httpx.AsyncClient() as c:
                exchanges = (await c.get(f"http://127.0.0.1:{fake_port}/_fake/exchanges")).json()
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)
        servers.stop()
    ok = [r for r in results if isinstance(r, dict) and "error" not in r and not r["degraded"]]
    errors = [
        repr(r) if not isinstance(r, dict) else r.get("error") or f"degraded: {r['degraded']}"
        for r in results
        if not (isinstance(r, dict) and "error" not in r and not r["degraded"])
    ]
    synth_first = {
        e["user_tag"]: e["first_token_at"]
        for e in exchanges
        if e["stream"] and e["user_tag"] and e["first_token_at"]
    }
    ttft = [
        (r["first_token_wall"] - synth_first[r["session_id"]]) * 1000
        for r in ok
        if r["first_token_wall"] and r["session_id"] in synth_first
    ]
    total = [r["total_ms"] for r in ok]
    overhead = [r["total_ms"] - r["model_ms"] for r in ok]
    model = [r["model_ms"] for r in ok]
    server = [r["server_overhead_ms"] for r in ok]
    stage_names = sorted({k for r in ok for k in r["stages_ms"]})
    stages = {
        k: round(statistics.median([r["stages_ms"][k] for r in ok if k in r["stages_ms"]]), 1)
        for k in stage_names
    }
    return {
        "sessions": sessions,
        "model_latency_s": latency,
        "wall_s": round(wall_s, 2),
        "ok": len(ok),
        "errors": len(errors),
        "error_samples": errors[:3],
        "e2e_ms": {"p50": round(statistics.median(total)), "p95": round(pct(total, 95))} if total else None,
        "model_ms_critical_path": {"p50": round(statistics.median(model))} if model else None,
        "overhead_ms": {"p50": round(statistics.median(overhead), 1), "p95": round(pct(overhead, 95), 1)}
        if overhead
        else None,
        "server_overhead_ms": {"p50": round(statistics.median(server), 1), "p95": round(pct(server, 95), 1)}
        if server
        else None,
        "server_stages_ms_p50": stages,
        "cpu_ms_per_session": {k: round(v, 1) for k, v in cpu_ms.items()},
        "load_avg_1m_before_after": [round(x, 2) for x in load],
        "first_token_after_model_ms": {
            "p50": round(statistics.median(ttft), 1),
            "p95": round(pct(ttft, 95), 1),
            "n": len(ttft),
        }
        if ttft
        else None,
        "model_calls": len(exchanges),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.sessions, args.latency)), indent=2))


if __name__ == "__main__":
    main()
