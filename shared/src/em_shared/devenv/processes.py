"""Start, find and stop background processes by pid file."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path


class DevEnvError(RuntimeError):
    """Something stops the embedded environment; the message says what and how to fix it."""


@dataclass(frozen=True)
class Managed:
    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if is_alive(pid) else None


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as dead.
    with contextlib.suppress(FileNotFoundError):
        if " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]:
            return False
    return True


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(offsets: Sequence[int], avoid: Collection[int] = ()) -> int:
    """A port p such that p + each offset is free now and in none of `avoid`: for a server that listens
    on ports derived from one (Temporal's dev server: UI, HTTP API and metrics beside gRPC). A plain free
    port can have a neighbour taken by the next free port handed to someone else."""
    for _ in range(500):
        base = free_port()
        ports = [base + offset for offset in offsets]
        if all(port <= 65535 and port not in avoid and _bindable(port) for port in ports):
            return base
    raise OSError(f"no free block of ports at offsets {list(offsets)}")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def spawn(
    managed: Managed,
    argv: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start `argv` detached (its own session), logging to its log file; records the pid."""
    managed.pid_file.parent.mkdir(parents=True, exist_ok=True)
    managed.log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(managed.log_file, "ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
            user=user,
        )
    managed.pid_file.write_text(str(proc.pid))
    return proc.pid


def stop(managed: Managed, timeout_s: float = 15.0) -> bool:
    """SIGTERM the recorded process group, SIGKILL after `timeout_s`; True if something was stopped."""
    pid = managed.pid()
    if pid is None:
        managed.pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while is_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if is_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
    _reap(pid)
    managed.pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def wait_until(
    check: object, timeout_s: float, what: str, log_file: Path | None = None, process: Managed | None = None
) -> None:
    """Poll `check` until true; fail at once (with the log's tail) if `process` died meanwhile."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        if process is not None and process.pid() is None:
            timeout_s = 0
            what = f"{what} (process exited)"
            break
        time.sleep(0.2)
    tail = ""
    if log_file and log_file.exists():
        tail = (
            "\n--- last lines of "
            + str(log_file)
            + " ---\n"
            + "\n".join(log_file.read_text(errors="replace").splitlines()[-25:])
        )
    raise DevEnvError(f"{what}: not ready after {timeout_s:.0f}s{tail}")
