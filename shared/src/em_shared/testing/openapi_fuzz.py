"""Run schemathesis against a live service's OpenAPI, as every service's "no 5xx" test does.

The CLI runs in a subprocess so the test's event loop keeps serving the requests it sends.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

# CI fuzzes with a fixed seed, so a run is reproducible and a red build points at a change, not at
# luck. `EM_FUZZ_SEED=random` (or any other integer) explores new inputs, as a scheduled job or a
# developer hunting bugs would; a failure prints the seed and the `st replay` command.
_DEFAULT_SEED = "20261128"


def _seed_args() -> list[str]:
    seed = os.environ.get("EM_FUZZ_SEED", _DEFAULT_SEED)
    return [] if seed == "random" else ["--seed", str(int(seed))]


async def run_schemathesis(
    base_url: str, workdir: Path, max_examples: int, *extra: str, timeout_s: float = 240
) -> tuple[int, str]:
    """(exit code, output) of `schemathesis run` with the not_a_server_error check only."""
    cli = Path(sys.executable).with_name("schemathesis")
    proc = await asyncio.create_subprocess_exec(
        str(cli),
        "run",
        f"{base_url}/schema/openapi.json",
        *extra,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",  # CPython 3.11's ast.parse is not thread-safe and hypothesis calls it from workers
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        *_seed_args(),
        cwd=workdir,  # schemathesis keeps a .schemathesis/ cache in its working directory
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout_s)
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")
