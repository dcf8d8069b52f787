"""A fake Slack Web API over real HTTP (aiohttp on a free port), so the real slack_sdk is exercised.

It answers the methods notifier-svc uses the way Slack does (`{"ok": ...}` JSON, channel names
resolved to ids, `ts` per message, `invalid_auth`, `message_not_found`, `invalid_blocks` beyond
50 blocks), records every request, and can be told to answer 429 with Retry-After, 500, or to
add latency. Tests, the e2e suite and the benchmark share it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() when the request arrived
    answered_at: float = 0.0  # when the answer was sent (after any added latency)
    status: int = 200
    wall_at: float = 0.0  # the same two instants in wall-clock time, comparable across processes
    wall_answered_at: float = 0.0


@dataclass
class Fault:
    status: int
    times: int
    retry_after: int | None = None
    body: str | None = None


@dataclass
class FakeSlack:
    token: str = "xoxb-test-token"
    users_by_email: dict[str, str] = field(default_factory=dict)
    user_groups: dict[str, list[str]] = field(default_factory=dict)
    latency_s: float = 0.0
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _ts_counter: int = 0
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_get("/_fake/calls", self._dump_calls)
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- fault injection -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        body: str | None = None,
    ) -> None:
        """The next `times` calls of `method` answer `status` (429 carries Retry-After; 0 drops the
        connection without an answer, like a network failure)."""
        self._faults.setdefault(method, []).append(Fault(status, times, retry_after, body))

    def heal(self) -> None:
        """Drop every pending fault: Slack is healthy again."""
        self._faults.clear()

    # --- inspection ------------------------------------------------------------------------------
    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    async def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                summary = [(c.method, c.status, c.params.get("channel")) for c in self.calls]
                raise AssertionError(f"fake Slack never saw the expected calls; saw {summary}")
            await asyncio.sleep(0.01)

    def channel_id(self, channel: str) -> str:
        """Slack answers with ids; names (#incidents) map to a stable fake id."""
        if not channel.startswith("#"):
            return channel
        return "C" + hashlib.sha1(channel.encode()).hexdigest()[:8].upper()

    # --- the API ---------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params, time.perf_counter(), wall_at=time.time())
        self.calls.append(call)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        faults = self._faults.get(method)
        if faults and faults[0].status == 0:
            # A network failure: the connection drops before any answer.
            self._take(faults)
            call.status = 0
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        response = self._answer(method, params, request.headers.get("Authorization", ""))
        call.status = response.status
        call.answered_at = time.perf_counter()
        call.wall_answered_at = time.time()
        return response

    async def _dump_calls(self, _: web.Request) -> web.Response:
        """The recorded calls, for a benchmark that runs the fake in its own process."""
        return web.json_response([c.__dict__ for c in self.calls])

    def _answer(self, method: str, params: dict[str, Any], auth: str) -> web.Response:
        faults = self._faults.get(method)
        if faults:
            fault = self._take(faults)
            if fault.status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(fault.retry_after or 1)},
                )
            return web.Response(
                status=fault.status,
                text=fault.body or "<html>upstream error</html>",
                content_type="text/html",
            )
        if auth != f"Bearer {self.token}":
            return _ok_false("invalid_auth")
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok_false("unknown_method")
        return handler(params)

    @staticmethod
    def _take(faults: list[Fault]) -> Fault:
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        return fault

    def _m_auth_test(self, _: dict[str, Any]) -> web.Response:
        return _ok(
            url="https://fake.slack.test/",
            team="Fake",
            user="em-agent",
            team_id="T0FAKE",
            user_id="U0BOT",
            bot_id="B0BOT",
        )

    def _m_chat_postMessage(self, p: dict[str, Any]) -> web.Response:
        problem = _check_message(p)
        if problem:
            return _ok_false(problem)
        channel = self.channel_id(p["channel"])
        self._ts_counter += 1
        ts = f"{int(time.time())}.{self._ts_counter:06d}"
        message = {"text": p.get("text"), "blocks": _blocks(p), "ts": ts, "thread_ts": p.get("thread_ts")}
        if not p.get("thread_ts"):
            self.messages[(channel, ts)] = message
        return _ok(channel=channel, ts=ts, message=message)

    def _m_chat_update(self, p: dict[str, Any]) -> web.Response:
        problem = _check_message(p)
        if problem:
            return _ok_false(problem)
        key = (p.get("channel", ""), p.get("ts", ""))
        if key not in self.messages:
            return _ok_false("message_not_found")
        self.messages[key].update(text=p.get("text"), blocks=_blocks(p))
        return _ok(channel=key[0], ts=key[1], text=p.get("text"))

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> web.Response:
        if not p.get("user") or not p.get("channel"):
            return _ok_false("invalid_arguments")
        self._ts_counter += 1
        return _ok(message_ts=f"{int(time.time())}.{self._ts_counter:06d}")

    def _m_users_lookupByEmail(self, p: dict[str, Any]) -> web.Response:
        user = self.users_by_email.get(p.get("email", ""))
        return (
            _ok(user={"id": user, "profile": {"email": p["email"]}}) if user else _ok_false("users_not_found")
        )

    def _m_conversations_open(self, p: dict[str, Any]) -> web.Response:
        users = p.get("users") or ""
        if not users:
            return _ok_false("invalid_arguments")
        return _ok(channel={"id": "D" + users.split(",")[0].removeprefix("U")})

    def _m_usergroups_users_list(self, p: dict[str, Any]) -> web.Response:
        members = self.user_groups.get(p.get("usergroup", ""))
        return _ok(users=members) if members is not None else _ok_false("no_such_subteam")


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if not raw:
        return params
    if request.content_type == "application/json":
        params.update(json.loads(raw))
    else:
        params.update(dict(parse_qsl(raw.decode())))
    return params


def _blocks(p: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = p.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _check_message(p: dict[str, Any]) -> str | None:
    if not p.get("channel"):
        return "channel_not_found"
    blocks = _blocks(p)
    if not p.get("text") and not blocks:
        return "no_text"
    if len(blocks) > 50:
        return "invalid_blocks"
    return None


def _ok(**data: Any) -> web.Response:
    return web.json_response({"ok": True, **data})


def _ok_false(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


async def _serve(port_file: str, token: str, latency_s: float) -> None:
    """Run standalone (`python fake_slack.py PORT_FILE TOKEN LATENCY_S`), writing its port to PORT_FILE."""
    fake = await FakeSlack(token=token, latency_s=latency_s).start()
    with open(port_file, "w") as out:
        out.write(str(fake.port))
    await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    asyncio.run(_serve(sys.argv[1], sys.argv[2], float(sys.argv[3])))
