"""The bench's payload mix: distinct, correctly signed deliveries of four vendors, as wrk Lua or raw HTTP.

Every request is a NEW delivery (its transport dedup key is unique), so the full path really stores
each one; a run that wraps around the prepared list would measure the cheaper duplicate path instead.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "ingest-svc" / "src"))
sys.path.insert(0, str(ROOT / "bench" / "common"))
from ingest_svc import samples  # noqa: E402
from rawhttp import raw_request  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "webhooks"
SECRET = "bench-secret-0123456789"
SOURCES = ("github", "pagerduty", "alertmanager", "datadog")
# GitHub pull_request (30 KB, HMAC), PagerDuty incident (HMAC), Alertmanager group of 2 (token),
# Datadog monitor (token): one of each per four requests.
MIX = [
    "github/pull_request.opened.json",
    "pagerduty/incident.triggered.json",
    "alertmanager/firing.grouped_2_alerts.json",
    "datadog/monitor.triggered.json",
]


def distinct(sample: samples.Sample, tag: str) -> samples.Sample:
    """The sample with its vendor delivery key replaced by `tag` (body re-serialized when needed)."""
    if sample.source == "github":  # the key is a header; body and signature stay as they are
        return samples.Sample(
            sample.source, sample.event, {**sample.headers, "X-GitHub-Delivery": tag}, sample.body
        )
    body = json.loads(sample.body)
    if sample.source == "pagerduty":
        body["event"]["id"] = tag
    elif sample.source == "alertmanager":
        for alert in body["alerts"]:
            alert["fingerprint"] = f"{alert['fingerprint']}-{tag}"
    elif sample.source == "datadog":
        body["alert_cycle_key"] = tag
    return samples.Sample(sample.source, sample.event, dict(sample.headers), json.dumps(body).encode())


def deliveries(n: int, run_tag: str | None = None) -> list[tuple[str, dict[str, str], bytes]]:
    """`n` distinct deliveries in mix order: (path, signed headers, body)."""
    base = [samples.load(FIX / m) for m in MIX]
    run_tag = run_tag or uuid.uuid4().hex[:8]
    out = []
    for i in range(n):
        s = distinct(base[i % len(base)], f"{run_tag}-{i}")
        headers = {k: v for k, v in s.signed(SECRET).items() if k.lower() != "content-length"}
        headers.setdefault("Content-Type", "application/json")
        out.append((f"/webhooks/{s.source}", headers, s.body))
    return out


def write_lua(path: Path, n: int, threads: int) -> None:
    """A wrk script cycling through `n` prepared requests; each wrk thread takes a disjoint share.

    The requests are raw HTTP bytes in a data file beside the script (`<script>.bin`, records of a
    10-digit length and the request), read by each wrk thread's `init`. Written as Lua source, as they
    were, 100,000 requests made a 97 MB script that each thread compiled for ~2 s of CPU: wrk compiles
    one thread's script, starts that thread, then compiles the next one, and starts its clock only once
    every thread runs, so the first thread loaded the server for ~2 s the clock did not count while
    the compiler competed for the two cores (both (a) and (b) were inflated, not by the same share).
    Reading the data file takes a fraction of a second.

    GitHub's 30 KB body is stored once: its delivery key is a header, so each request gets a fresh
    `X-GitHub-Delivery` at send time (wrk's LuaJIT runs out of memory holding thousands of copies).
    That request is one concatenation of a prebuilt head, the id and the prebuilt tail: building it
    with `wrk.format` cost wrk ~230 us of CPU per GitHub request, CPU the load generator took from the
    servers on the same two cores. Its records in the data file are empty.
    """
    prepared = deliveries(n)
    github = next(d for d in prepared if d[0] == "/webhooks/github")
    gh_headers = {k: v for k, v in github[1].items() if k != "X-GitHub-Delivery"}
    data = path.with_suffix(".bin")
    with data.open("wb") as out:
        for route, headers, body in prepared:
            request = b"" if route == "/webhooks/github" else raw_request(route, headers, body, "127.0.0.1")
            out.write(b"%010d" % len(request) + request)
    lines = [
        f"gh_body = {_lua_str(github[2].decode())}",
        f"gh_headers = {_lua_table(gh_headers)}",
        f"data_file = {json.dumps(str(data))}",
        "init = function(args)",
        "  local f = assert(io.open(data_file, 'rb'))",
        "  local data = f:read('*a')",
        "  f:close()",
        "  reqs = {}",
        "  local pos, size = 1, #data",
        "  while pos <= size do",
        "    local len = tonumber(data:sub(pos, pos + 9))",
        "    reqs[#reqs + 1] = len > 0 and data:sub(pos + 10, pos + 9 + len)",
        "    pos = pos + 10 + len",
        "  end",
        "end",
        "local tcount = 0",
        "setup = function(thread) thread:set('tid', tcount); tcount = tcount + 1 end",
        f"threads = {threads}",
        "i = 0",
        "request = function()",
        "  local k = (tid + i * threads) % #reqs + 1",
        "  i = i + 1",
        "  local r = reqs[k]",
        "  if r then return r end",
        "  if not gh_head then",
        "    local head = {'POST /webhooks/github HTTP/1.1\\r\\nHost: ' .. wrk.host .. '\\r\\n'}",
        "    for name, value in pairs(gh_headers) do head[#head + 1] = name .. ': ' .. value .. '\\r\\n' end",
        "    head[#head + 1] = 'Content-Length: ' .. #gh_body .. '\\r\\nX-GitHub-Delivery: '",
        "    gh_head = table.concat(head)",
        "    gh_tail = '\\r\\n\\r\\n' .. gh_body",
        "  end",
        "  return gh_head .. 'gh-' .. tid .. '-' .. i .. '-' .. run .. gh_tail",
        "end",
        f"run = {json.dumps(uuid.uuid4().hex[:8])}",
        "done = function(summary, latency, requests)",
        '  io.write(string.format(\'JSON {"p50": %d, "p99": %d, "rps": %.1f, "non2xx": %d, "n": %d}\\n\',',
        "    latency:percentile(50), latency:percentile(99), summary.requests / (summary.duration / 1e6),",
        "    summary.errors.status, summary.requests))",
        "end",
    ]
    path.write_text("\n".join(lines))


def _lua_str(s: str) -> str:
    if "]=====]" in s:
        raise ValueError("payload contains the Lua long-string terminator")
    return "[=====[" + s + "]=====]"


def _lua_table(d: dict[str, str]) -> str:
    return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in d.items()) + "}"
