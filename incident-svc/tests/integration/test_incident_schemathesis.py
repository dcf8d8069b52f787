"""Schemathesis over the live service's OpenAPI: generated requests (valid and not) never get a 5xx."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from em_shared.testing.live import live_service
from incident_svc.app import create_service


async def test_openapi_fuzzing_finds_no_server_error(settings_factory, tmp_path) -> None:
    settings = settings_factory()
    async with live_service(create_service(settings), settings) as svc:
        async with svc.client() as http:  # something to find, so ids in paths can hit real rows too
            r = await http.post("/v1/incidents", json={"title": "seed", "actor": "fuzz"})
            assert r.status_code == 201
        cli = Path(sys.executable).with_name("schemathesis")
        # The CLI runs in a subprocess so this event loop keeps serving the requests it sends.
        proc = await asyncio.create_subprocess_exec(
            str(cli),
            "run",
            f"{svc.url}/schema/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "12",
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--request-timeout",
            "10",
            "--phases",
            "examples,coverage,fuzzing",
            "--suppress-health-check",
            "all",
            cwd=tmp_path,  # schemathesis keeps a .schemathesis/ cache in its working directory
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=240)
        text = out.decode(errors="replace")
        assert proc.returncode == 0, text[-4000:]
        assert "/v1/incidents" in text
