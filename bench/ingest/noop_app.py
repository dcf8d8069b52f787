"""The baselines: a no-op POST on the same stack (uvicorn, Litestar, msgspec), nothing else.

`noop_app.py PORT` is the issue's baseline, a Litestar route handler. `noop_app.py PORT --raw` is the
same no-op as a plain ASGI handler served ahead of a Litestar app, the way ingest-svc serves its
webhook routes (endpoint.py, `em_shared.runtime.host.DirectRoutes`): printed beside it so the report
shows how much of the gap is Litestar's handler layer, not ingest's work.
"""

from __future__ import annotations

import sys

import uvicorn
from em_shared.runtime.host import DirectRoutes
from litestar import Litestar, Request, post
from litestar.types import Receive, Scope, Send

ANSWER = b'{"status":"accepted","duplicate":false}'


@post("/webhooks/{source:str}", status_code=200)
async def noop(request: Request, source: str) -> dict[str, object]:  # type: ignore[type-arg]
    await request.body()
    return {"status": "accepted", "duplicate": False}


async def noop_raw(ctx: object, scope: Scope, receive: Receive, send: Send) -> None:
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": ANSWER})


if __name__ == "__main__":
    app = DirectRoutes(Litestar([]), {"/webhooks": noop_raw}) if "--raw" in sys.argv[2:] else Litestar([noop])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
