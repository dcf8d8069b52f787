"""Ingest benchmark: (a) a no-op Litestar POST vs (b) the full path (verify, store durably, publish).

Starts its own nats-server, the no-op app and ingest-svc (`python -m ingest_svc`), installs wrk with
apt when missing, drives both with the same wrk settings over a mix of signed, distinct deliveries
(GitHub PR, PagerDuty, Alertmanager, Datadog), and prints throughput, p50/p99, the ratio b/a and idle RSS.

    DATABASE_URL=postgresql://... .venv/bin/python bench/ingest/run.py [--duration 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ingest-svc" / "src"))
from ingest_svc import samples  # noqa: E402
from ingest_svc.secrets import PREFIX  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "webhooks"
SECRET = "bench-secret-0123456789"
MIX = [
    "github/pull_request.opened.json",
    "pagerduty/incident.triggered.json",
    "alertmanager/firing.grouped_2_alerts.json",
    "datadog/monitor.triggered.json",
]


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


def distinct(sample: samples.Sample, i: int) -> samples.Sample:
    body = json.loads(sample.body)
    headers = dict(sample.headers)
    tag = f"b{i}-{uuid.uuid4().hex[:8]}"
    if sample.source == "github":
        headers["X-GitHub-Delivery"] = tag
    elif sample.source == "pagerduty":
        body["event"]["id"] = tag
    elif sample.source == "alertmanager":
        for a in body["alerts"]:
            a["fingerprint"] = f"{a['fingerprint']}-{tag}"
    elif sample.source == "datadog":
        body["alert_cycle_key"] = tag
    return samples.Sample(sample.source, sample.event, headers, json.dumps(body).encode())


def lua_requests(n: int, path: Path) -> None:
    base = [samples.load(FIX / m) for m in MIX]
    lines = ["requests = {}"]
    for i in range(n):
        s = distinct(base[i % len(base)], i)
        headers = {k: v for k, v in s.signed(SECRET).items() if k.lower() != "content-length"}
        lines.append(
            f"requests[{i + 1}] = wrk.format('POST', {json.dumps('/webhooks/' + s.source)}, "
            f"{lua_table(headers)}, {lua_str(s.body.decode())})"
        )
    lines += [
        "counter = 0",
        "request = function()",
        "  counter = counter % #requests + 1",
        "  return requests[counter]",
        "end",
        "done = function(summary, latency, requests)",
        '  io.write(string.format(\'JSON {"p50": %d, "p99": %d, "rps": %.1f, "non2xx": %d}\\n\',',
        "    latency:percentile(50), latency:percentile(99), summary.requests / (summary.duration / 1e6),",
        "    summary.errors.status))",
        "end",
    ]
    path.write_text("\n".join(lines))


def lua_str(s: str) -> str:
    return "[==[" + s + "]==]"


def lua_table(d: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in d.items()) + "}"


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


def run_wrk(wrk: str, url: str, script: Path, duration: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [wrk, "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"JSON (\{.*\})", out)
    if m is None:
        raise RuntimeError(f"wrk printed no summary: {out[-2000:]}")
    data = json.loads(m[1])
    return {
        "rps": data["rps"],
        "p50_ms": data["p50"] / 1000,
        "p99_ms": data["p99"] / 1000,
        "non2xx": data["non2xx"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--requests", type=int, default=40000)
    ap.add_argument("--group-commit-max", default="128")
    args = ap.parse_args()
    database_url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    script = work / "mix.lua"
    lua_requests(args.requests, script)
    nats_port, noop_port, ingest_port = free_port(), free_port(), free_port()
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    procs = []
    try:
        bin_dir = Path(sys.executable).parent
        procs.append(
            subprocess.Popen(
                [
                    str(bin_dir / "nats-server"),
                    "-a",
                    "127.0.0.1",
                    "-p",
                    str(nats_port),
                    "-js",
                    "-sd",
                    str(work / "js"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        noop = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "noop_app.py"), str(noop_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(noop)
        env = {
            **os.environ,
            "NATS_URL": f"nats://127.0.0.1:{nats_port}",
            "DATABASE_URL": database_url,
            "EM_NAMESPACE": namespace,
            "INGEST_PORT": str(ingest_port),
            "LOG_LEVEL": "warning",
            "EM_INGEST_GROUP_COMMIT_MAX": args.group_commit_max,
            **{f"{PREFIX}{s.upper()}": SECRET for s in ("github", "pagerduty", "alertmanager", "datadog")},
        }
        ingest = subprocess.Popen(
            [sys.executable, "-m", "ingest_svc"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(ingest)
        wait_http(f"http://127.0.0.1:{ingest_port}/ready")
        wait_http(f"http://127.0.0.1:{noop_port}/webhooks/x")
        time.sleep(2)
        idle = rss_mb(ingest.pid)
        a = run_wrk(wrk, f"http://127.0.0.1:{noop_port}", script, args.duration, args.connections)
        b = run_wrk(wrk, f"http://127.0.0.1:{ingest_port}", script, args.duration, args.connections)
        busy = rss_mb(ingest.pid)
        print(
            f"(a) no-op Litestar POST : {a['rps']:8.0f} req/s  p50 {a['p50_ms']:6.1f} ms  p99 {a['p99_ms']:6.1f} ms"
        )
        print(
            f"(b) full ingest path    : {b['rps']:8.0f} req/s  p50 {b['p50_ms']:6.1f} ms  p99 {b['p99_ms']:6.1f} ms"
            f"  non-2xx {b['non2xx']:.0f}"
        )
        print(f"ratio b/a               : {b['rps'] / a['rps']:.2f}")
        print(f"ingest RSS idle / after : {idle:.0f} MB / {busy:.0f} MB")
        print(
            f"settings                : wrk -t2 -c{args.connections} -d{args.duration}s, group commit max "
            f"{args.group_commit_max}, {len(MIX)}-payload mix, {os.cpu_count()} cores"
        )
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        try:
            import asyncio

            import asyncpg

            async def drop() -> None:
                conn = await asyncpg.connect(database_url)
                for r in await conn.fetch(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{namespace}%"
                ):
                    await conn.execute(f'DROP SCHEMA "{r["nspname"]}" CASCADE')
                await conn.close()

            asyncio.run(drop())
        except Exception as exc:
            print(f"cleanup: {exc}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
