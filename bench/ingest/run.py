"""Ingest benchmark: (a) a no-op Litestar POST vs (b) the full path (verify, store durably, publish).

Starts its own nats-server, the no-op app and ingest-svc (`python -m ingest_svc`), installs wrk with
apt when missing, and in one run prints:
  1. closed-loop throughput (wrk -t2 -cN) of (a) and (b) over the same distinct signed deliveries
     (GitHub PR, PagerDuty, Alertmanager, Datadog), p50/p99 and the ratio b/a;
  2. open-loop latency of (b) at a fixed rate (default 1,000 deliveries/s, openloop.py);
  3. the relay's drain: time until every stored delivery is published; idle RSS of ingest-svc.

    DATABASE_URL=postgresql://... .venv/bin/python bench/ingest/run.py [--duration 8] [--group-commit-max 128]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from mix import SECRET, SOURCES, write_lua

HERE = Path(__file__).resolve().parent
PREFIX = "EM_WEBHOOK_SECRET_"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], env=env, capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes (those still alive)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def backend_pids(database_url: str, schema_prefix: str) -> list[int]:
    """PostgreSQL backends serving ingest-svc (its pools name themselves em-<schema>)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1", f"em-{schema_prefix}%"
        )
        return [r["pid"] for r in rows]
    finally:
        await conn.close()


def json_line(out: str, what: str) -> dict:
    m = re.search(r"JSON (\{.*\})", out)
    if m is None:
        raise RuntimeError(f"{what} printed no summary: {out[-2000:]}")
    return json.loads(m[1])


def run_wrk(wrk: str, url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    """Closed-loop load; also wrk's own CPU per request once its threads run (its setup excluded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", str(script), url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    setup_s = 0.0
    while proc.poll() is None:  # wrk's clock starts once every worker thread runs (main + 2)
        try:
            if len(os.listdir(f"/proc/{proc.pid}/task")) >= 3:
                setup_s = cpu_s([proc.pid])
                break
        except FileNotFoundError:
            break
        time.sleep(0.005)
    out, _ = proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json_line(out, "wrk")
    wrk_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime - setup_s
    return {
        "wrk_cpu_us": wrk_cpu / max(1, data["n"]) * 1e6,
        "rps": data["rps"],
        "p50_ms": data["p50"] / 1000,
        "p99_ms": data["p99"] / 1000,
        "non2xx": data["non2xx"],
        "n": data["n"],
    }


def run_openloop(port: int, rate: float, duration: float) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "openloop.py"),
            "--port",
            str(port),
            "--rate",
            str(rate),
            "--duration",
            str(duration),
        ],
        capture_output=True,
        text=True,
    )
    return json_line(proc.stdout + proc.stderr, "openloop")


async def outbox_drained(database_url: str, schema: str, timeout_s: float = 120) -> tuple[float, int]:
    """Seconds until the relay has published everything stored, and how many deliveries are stored."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if await conn.fetchval(f'SELECT count(*) FROM "{schema}".outbox') == 0:
                break
            await asyncio.sleep(0.1)
        return time.monotonic() - started, await conn.fetchval(f'SELECT count(*) FROM "{schema}".deliveries')
    finally:
        await conn.close()


def group_commits(port: int) -> tuple[float, float]:
    """Mean deliveries per group commit and mean commit time (ms) so far, from ingest-svc's /metrics."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    sums = {
        f"{name}_{kind}": float(value)
        for name, kind, value in re.findall(
            r"^em_ingest_group_commit_(size|seconds)_(sum|count) ([0-9.e+-]+)$", text, re.M
        )
    }
    count = max(1.0, sums.get("size_count", 0))
    return sums.get("size_sum", 0) / count, sums.get("seconds_sum", 0) / count * 1000


async def drop_namespace(database_url: str, namespace: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for r in await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{namespace}%"):
            await conn.execute(f'DROP SCHEMA "{r["nspname"]}" CASCADE')
    finally:
        await conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--requests", type=int, default=100000, help="distinct deliveries prepared for wrk")
    ap.add_argument("--rate", default="1000", help="open-loop rates, comma-separated (0 skips it)")
    ap.add_argument("--rate-duration", type=float, default=10)
    ap.add_argument("--group-commit-max", default="128")
    ap.add_argument("--skip-noop", action="store_true")
    ap.add_argument(
        "--ingest-src",
        help="run ingest-svc from this source tree (e.g. a `git archive` of another revision), to compare "
        "revisions in one window; the baselines and the load stay this tree's",
    )
    args = ap.parse_args()
    database_url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    script = work / "mix.lua"
    write_lua(script, args.requests, threads=2)
    nats_port, noop_port, ingest_port = free_port(), free_port(), free_port()
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        bin_dir = Path(sys.executable).parent
        nats_cmd = [str(bin_dir / "nats-server"), "-a", "127.0.0.1", "-p", str(nats_port), "-js"]
        procs.append(
            subprocess.Popen(
                [*nats_cmd, "-sd", str(work / "js")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        if not args.skip_noop:
            noop = subprocess.Popen(
                [sys.executable, str(HERE / "noop_app.py"), str(noop_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(noop)
            raw_port = free_port()
            noop_raw = subprocess.Popen(
                [sys.executable, str(HERE / "noop_app.py"), str(raw_port), "--raw"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(noop_raw)
        env = {
            **os.environ,
            "NATS_URL": f"nats://127.0.0.1:{nats_port}",
            "DATABASE_URL": database_url,
            "EM_NAMESPACE": namespace,
            "INGEST_PORT": str(ingest_port),
            "LOG_LEVEL": "warning",
            "EM_INGEST_GROUP_COMMIT_MAX": args.group_commit_max,
            **{f"{PREFIX}{s.upper()}": SECRET for s in SOURCES},
        }
        if args.ingest_src:
            src = Path(args.ingest_src).resolve()
            env["PYTHONPATH"] = f"{src / 'ingest-svc' / 'src'}:{src / 'shared' / 'src'}"
        ingest = subprocess.Popen(
            [sys.executable, "-m", "ingest_svc"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(ingest)
        wait_http(f"http://127.0.0.1:{ingest_port}/ready")
        if not args.skip_noop:
            wait_http(f"http://127.0.0.1:{noop_port}/webhooks/x")
            wait_http(f"http://127.0.0.1:{raw_port}/webhooks/x")
        time.sleep(2)
        idle = rss_mb(ingest.pid)
        schema = f"{namespace}_ingest"
        a = raw = None
        if not args.skip_noop:
            before = cpu_s([noop.pid])
            a = run_wrk(wrk, f"http://127.0.0.1:{noop_port}", script, args.duration, args.connections)
            a["cpu_us"] = (cpu_s([noop.pid]) - before) / a["n"] * 1e6
            noop.send_signal(signal.SIGTERM)  # not competing for the cores during (b)
            before = cpu_s([noop_raw.pid])
            raw = run_wrk(wrk, f"http://127.0.0.1:{raw_port}", script, args.duration, args.connections)
            raw["cpu_us"] = (cpu_s([noop_raw.pid]) - before) / raw["n"] * 1e6
            noop_raw.send_signal(signal.SIGTERM)
        backends = asyncio.run(backend_pids(database_url, namespace))
        before_b = (cpu_s([ingest.pid]), cpu_s(backends), cpu_s([procs[0].pid]))
        b = run_wrk(wrk, f"http://127.0.0.1:{ingest_port}", script, args.duration, args.connections)
        drain_s, stored = asyncio.run(outbox_drained(database_url, schema))
        # CPU per delivery of the ingest process, its PostgreSQL backends and nats-server, counted
        # until the relay has published everything (so the relay's work is included).
        after_b = (cpu_s([ingest.pid]), cpu_s(backends), cpu_s([procs[0].pid]))
        b_cpu = [(x - y) / stored * 1e6 for x, y in zip(after_b, before_b, strict=True)]
        busy = rss_mb(ingest.pid)
        group_mean, commit_ms = group_commits(ingest_port)
        fixed_runs = []
        for rate in (float(r) for r in args.rate.split(",") if float(r) > 0):
            fixed = run_openloop(ingest_port, rate, args.rate_duration)
            fixed["drain_s"] = round(asyncio.run(outbox_drained(database_url, schema))[0], 2)
            fixed_runs.append(fixed)
        stack = Path(f"/proc/{ingest.pid}/maps").read_text()
        loaded = {lib: lib in stack for lib in ("uvloop", "httptools")}
        if a:
            print(
                f"(a) no-op Litestar POST : {a['rps']:8.0f} req/s  p50 {a['p50_ms']:6.1f} ms  "
                f"p99 {a['p99_ms']:6.1f} ms"
            )
        print(
            f"(b) full ingest path    : {b['rps']:8.0f} req/s  p50 {b['p50_ms']:6.1f} ms  p99 {b['p99_ms']:6.1f} ms"
            f"  non-2xx {b['non2xx']:.0f}  ({b['n']:.0f} requests, {stored} stored)"
        )
        if a and raw:
            print(f"ratio b/a               : {b['rps'] / a['rps']:.2f}")
            print(
                f"(a') no-op raw ASGI route: {raw['rps']:7.0f} req/s  p50 {raw['p50_ms']:6.1f} ms  "
                f"p99 {raw['p99_ms']:6.1f} ms  CPU {raw['cpu_us']:.0f} us/request  (ratio b/a' "
                f"{b['rps'] / raw['rps']:.2f}; ingest serves webhooks this way, see docs/ingest.md)"
            )
        print(f"relay drained (b) in    : {drain_s:.1f} s after wrk stopped")
        # Accepted is what vendors see; the full path ends when the events are published. A relay that
        # falls behind during the burst pays afterwards: this rate counts that time too.
        published_rps = stored / (args.duration + drain_s)
        if a:
            print(
                f"(b) through publish     : {published_rps:8.0f} deliveries/s (stored / (wrk time + drain)), "
                f"ratio {published_rps / a['rps']:.2f}"
            )
        if a:
            print(f"CPU per request (a)     : {a['cpu_us']:.0f} us in the no-op process")
        print(
            "CPU of the load generator: "
            + (f"{a['wrk_cpu_us']:.0f} us per request of (a), " if a else "")
            + f"{b['wrk_cpu_us']:.0f} us per request of (b) (wrk shares the two cores; its setup excluded)"
        )
        print(
            f"CPU per delivery (b)    : {b_cpu[0]:.0f} us ingest-svc (accept + relay), {b_cpu[1]:.0f} us "
            f"PostgreSQL, {b_cpu[2]:.0f} us nats-server"
        )
        if a:
            print(f"CPU ratio a/b (process) : {a['cpu_us'] / b_cpu[0]:.2f}")
        print(
            f"group commit (b)        : {group_mean:.1f} deliveries per commit, {commit_ms:.2f} ms per commit (means)"
        )
        for fixed in fixed_runs:
            print(
                f"(b) open loop {fixed['rate']:.0f}/s     : p50 {fixed['p50_ms']} ms  p90 {fixed['p90_ms']} ms  "
                f"p99 {fixed['p99_ms']} ms  max {fixed['max_ms']} ms  statuses {fixed['statuses']}  "
                f"{fixed['connections']} connections, relay drained {fixed['drain_s']} s after"
            )
        print(f"ingest RSS idle / after : {idle:.0f} MB / {busy:.0f} MB")
        print(
            f"server stack            : uvicorn with uvloop {loaded['uvloop']}, httptools {loaded['httptools']}"
        )
        print(
            f"settings                : wrk -t2 -c{args.connections} -d{args.duration}s, group commit max "
            f"{args.group_commit_max}, 4-payload mix, {os.cpu_count()} cores, "
            f"load avg {os.getloadavg()[0]:.1f}"
        )
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            asyncio.run(drop_namespace(database_url, namespace))
        except Exception as exc:
            print(f"cleanup: {exc}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
