"""The baseline: a no-op Litestar POST on the same stack (uvicorn, Litestar, msgspec), nothing else."""

from __future__ import annotations

import sys

import uvicorn
from litestar import Litestar, Request, post


@post("/webhooks/{source:str}", status_code=200)
async def noop(request: Request, source: str) -> dict[str, object]:  # type: ignore[type-arg]
    await request.body()
    return {"status": "accepted", "duplicate": False}


if __name__ == "__main__":
    uvicorn.run(Litestar([noop]), host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
