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
from ingest_svc import samples  # noqa: E402

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

    GitHub's 30 KB body is stored once: its delivery key is a header, so each request gets a fresh
    `X-GitHub-Delivery` at send time (wrk's LuaJIT runs out of memory holding thousands of copies).
    That request is one concatenation of a prebuilt head, the id and the prebuilt tail: building it
    with `wrk.format` cost wrk ~230 us of CPU per GitHub request (90 us per request of the mix, as much
    as the no-op server spends), CPU the load generator took from the servers on the same two cores.
    """
    prepared = deliveries(n)
    github = next(d for d in prepared if d[0] == "/webhooks/github")
    gh_headers = {k: v for k, v in github[1].items() if k != "X-GitHub-Delivery"}
    lines = [
        f"gh_body = {_lua_str(github[2].decode())}",
        f"gh_headers = {_lua_table(gh_headers)}",
        "reqs = {}",
    ]
    # Lua allows 65,536 constants per function: the table is filled by one small function per chunk.
    for start in range(0, len(prepared), 2000):
        lines.append("do local fill = function()")
        for i, (route, headers, body) in enumerate(prepared[start : start + 2000], start):
            if route == "/webhooks/github":
                lines.append(f"reqs[{i + 1}] = false")
            else:
                lines.append(
                    f"reqs[{i + 1}] = wrk.format('POST', {json.dumps(route)}, {_lua_table(headers)}, "
                    f"{_lua_str(body.decode())})"
                )
        lines.append("end fill() end")
    lines += [
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
