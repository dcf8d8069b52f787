"""The three embedded servers: NATS with JetStream, PostgreSQL 16 with pgvector, Temporal dev server.

Each is started only when its URL is not configured, on its own port (14222, 15432, 17233 by
default) so it never collides with servers already running on the standard ones.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from em_shared.devenv.processes import DevEnvError, Managed, port_open, spawn, stop, wait_until


@dataclass(frozen=True)
class Ports:
    nats: int = 14222
    postgres: int = 15432
    temporal: int = 17233

    @classmethod
    def from_env(cls) -> Ports:
        return cls(
            nats=int(os.environ.get("EM_EMBEDDED_NATS_PORT", 14222)),
            postgres=int(os.environ.get("EM_EMBEDDED_PG_PORT", 15432)),
            temporal=int(os.environ.get("EM_EMBEDDED_TEMPORAL_PORT", 17233)),
        )


def _bin(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise DevEnvError(f"{name} not found: run `make install` (it comes from the PyPI package {name}-bin)")
    return found


def _ensure_free(port: int, what: str, managed: Managed) -> None:
    if port_open(port) and managed.pid() is None:
        raise DevEnvError(
            f"port {port} for the embedded {what} is taken by another process; stop it or choose another port "
            f"(EM_EMBEDDED_{what.upper()}_PORT), or point the platform at that server with its URL variable"
        )


def managed(run_dir: Path, name: str) -> Managed:
    return Managed(name, run_dir / "pids" / f"{name}.pid", run_dir / "logs" / f"{name}.log")


def start_nats(run_dir: Path, port: int) -> str:
    m = managed(run_dir, "nats")
    if m.pid() is None:
        _ensure_free(port, "nats", m)
        store = run_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        spawn(m, [_bin("nats-server"), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)])
    wait_until(lambda: port_open(port), 20, f"NATS on {port}", m.log_file, m)
    return f"nats://127.0.0.1:{port}"


# --- PostgreSQL ---------------------------------------------------------------------------------

PG_USER = "pgserver"  # PostgreSQL refuses to run as root; pgserver's convention is this system user.


def _pg_bin_dir() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise DevEnvError("pgserver is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _as_root() -> bool:
    return os.geteuid() == 0


def _prepare_root_access(path: Path) -> None:
    """Let the unprivileged postgres user traverse to `path` and read the binaries."""
    import pwd

    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", PG_USER], check=True, capture_output=True)
    bits = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    for parent in [path, *path.parents]:
        parent.chmod(parent.stat().st_mode | bits)


def start_postgres(run_dir: Path, port: int) -> str:
    m = managed(run_dir, "postgres")
    bin_dir = _pg_bin_dir()
    data = (run_dir / "postgres").resolve()
    user = PG_USER if _as_root() else None
    if m.pid() is None:
        _ensure_free(port, "pg", m)
        if user:
            _prepare_root_access(bin_dir.parent / "lib")
            _prepare_root_access(bin_dir / "postgres")
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if user:
                _prepare_root_access(data)
                shutil.chown(data, user, user)
            subprocess.run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "--auth=trust",
                    "--encoding=utf8",
                    "-U",
                    "postgres",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        m.log_file.parent.mkdir(parents=True, exist_ok=True)
        if user:
            _prepare_root_access(m.log_file.parent)
            m.log_file.touch()
            shutil.chown(m.log_file, user, user)
        # postgres itself in the foreground of its own session: its pid is the postmaster's.
        spawn(
            m,
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(data),
                "-c",
                "max_connections=300",
                "-c",
                "fsync=on",
                "-c",
                "shared_buffers=256MB",
            ],
            user=user,
        )
    wait_until(lambda: _pg_ready(bin_dir, port), 30, f"PostgreSQL on {port}", m.log_file, m)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def _pg_ready(bin_dir: Path, port: int) -> bool:
    result = subprocess.run(
        [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
    )
    return result.returncode == 0


# --- Temporal -----------------------------------------------------------------------------------


# `temporal server start-dev` listens on its gRPC port and on these offsets from it: the HTTP API,
# metrics and the UI. All four must be free; `processes.free_port_block` finds such a port.
TEMPORAL_PORT_OFFSETS = (0, 10, 11, 1000)


def start_temporal(run_dir: Path, port: int) -> str:
    m = managed(run_dir, "temporal")
    if m.pid() is None:
        for offset in TEMPORAL_PORT_OFFSETS:
            _ensure_free(port + offset, "temporal", m)
        store = run_dir / "temporal"
        store.mkdir(parents=True, exist_ok=True)
        spawn(
            m,
            [
                _bin("temporal"),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                str(port),
                "--http-port",
                str(port + TEMPORAL_PORT_OFFSETS[1]),
                "--metrics-port",
                str(port + TEMPORAL_PORT_OFFSETS[2]),
                "--ui-port",
                str(port + TEMPORAL_PORT_OFFSETS[3]),
                "--db-filename",
                str(store / "temporal.db"),
                "--log-level",
                "warn",
                "--ui-disable-news-fetch",
            ],
        )
    wait_until(lambda: port_open(port), 60, f"Temporal on {port}", m.log_file, m)
    return f"127.0.0.1:{port}"


def stop_server(run_dir: Path, name: str) -> bool:
    return stop(managed(run_dir, name), timeout_s=20)
