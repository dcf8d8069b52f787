"""A lean open-loop HTTP/1.1 client for the webhook bench: raw requests over keep-alive connections.

httpx's connection pool costs the generator more CPU per request than ingest-svc spends answering
it once requests queue for connections (it rescans every queued request and probes every idle socket
on each event), so at 500/s the bench itself could not send on time: it measured the client, not
ingest-svc. Here a request is prepared bytes written to an idle connection (a new one when none is
idle, as a vendor's many senders would), and its answer is read by Content-Length.
"""

from __future__ import annotations

import asyncio
import json

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def raw_post(path: str, host: str, body: dict, headers: dict[str, str]) -> bytes:  # type: ignore[type-arg]
    data = json.dumps(body).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


class Client:
    def __init__(self, host: str, port: int, max_connections: int) -> None:
        self.host, self.port = host, port
        self.idle: list[Conn] = []
        self.open = 0
        self.max = max_connections

    @property
    def saturated(self) -> bool:
        return not self.idle and self.open >= self.max

    async def send(self, request: bytes) -> int:
        """The response's status; 0 when the connection failed."""
        if self.idle:
            status = await self._exchange(self.idle.pop(), request)
            if status:
                return status
            # The server closed this idle keep-alive connection before our request reached it: send
            # it again on a fresh connection, as HTTP clients do.
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
