"""Real servers for tests: the ones in NATS_URL / DATABASE_URL / TEMPORAL_ADDRESS, else embedded.

Embedded servers start once per test session in a temporary directory on free ports, so a test run
never touches a developer's `make up` data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from em_shared.devenv.processes import free_port, free_port_block
from em_shared.devenv.servers import (
    TEMPORAL_PORT_OFFSETS,
    start_nats,
    start_postgres,
    start_temporal,
    stop_server,
)


@dataclass
class TestServers:
    nats_url: str
    database_url: str
    _run_dir: Path | None = None
    _temporal: str | None = None
    _started: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> TestServers:
        run_dir = Path(tempfile.mkdtemp(prefix="em-test-"))
        started: list[str] = []
        nats_url = os.environ.get("NATS_URL") or ""
        if not nats_url:
            nats_url = start_nats(run_dir, free_port())
            started.append("nats")
        database_url = os.environ.get("DATABASE_URL") or ""
        if not database_url:
            database_url = start_postgres(run_dir, free_port())
            started.append("postgres")
        return cls(nats_url, database_url, run_dir, os.environ.get("TEMPORAL_ADDRESS") or None, started)

    @property
    def temporal_address(self) -> str:
        """Started on first use: most tests do not need Temporal."""
        if self._temporal is None:
            assert self._run_dir is not None
            self._temporal = start_temporal(self._run_dir, free_port_block(TEMPORAL_PORT_OFFSETS))
            self._started.append("temporal")
        return self._temporal

    def stop(self) -> None:
        if self._run_dir is None:
            return
        for name in reversed(self._started):
            stop_server(self._run_dir, name)
        shutil.rmtree(self._run_dir, ignore_errors=True)
