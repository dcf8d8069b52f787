"""A lean HTTP/1.1 client for open-loop load: prepared request bytes over keep-alive connections.

Shared by bench/ingest/openloop.py and bench/incident/webhook_latency.py. httpx's connection pool
costs a generator more CPU per request than ingest-svc spends answering it once requests queue for
connections (it rescans every queued request and probes every idle socket on each event), so a
bench using it measures the client. Here a request is bytes written to an idle connection (a new
one when none is idle, as a vendor's many senders would), and its answer is read by Content-Length.
"""

from __future__ import annotations

import asyncio

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def raw_request(path: str, headers: dict[str, str], body: bytes, host: str) -> bytes:
    """A POST with `body` as is; `Host` and `Content-Length` are set here, whatever `headers` say."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in ("host", "content-length")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Client:
    def __init__(self, host: str, port: int, max_connections: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Conn] = []
        self.open = 0
        self.max = max_connections

    @property
    def saturated(self) -> bool:
        """Every connection is busy and no new one may open: a request now would wait for one."""
        return not self.idle and self.open >= self.max

    async def send(self, request: bytes) -> int:
        """The response's status; 0 when the connection failed."""
        if self.idle:
            status = await self._exchange(self.idle.pop(), request)
            if status:
                return status
            # The server closed this idle keep-alive connection (uvicorn does after 5 s) before our
            # request reached it: send it again on a fresh connection, as HTTP clients do.
        self.open += 1
        try:
            conn = await asyncio.open_connection(self.host, self.port)
        except OSError:
            self.open -= 1
            return 0
        return await self._exchange(conn, request)

    async def _exchange(self, conn: Conn, request: bytes) -> int:
        reader, writer = conn
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.open -= 1
            writer.close()
            return 0
        self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()
