"""`make up` / `make down` / `make status` / `make logs`: the whole platform on embedded defaults.

    python -m em_shared.devenv.platform up|down|status|logs [--run-dir .run]

`up` is idempotent: servers and services already running (by pid file) are left alone.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from em_shared.devenv.processes import DevEnvError, port_open, spawn, stop, wait_until
from em_shared.devenv.servers import Ports, managed, start_nats, start_postgres, start_temporal, stop_server


@dataclass(frozen=True)
class ServiceProc:
    name: str
    port: int

    @property
    def module(self) -> str:
        return f"{self.name}_svc"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVICES = (
    ServiceProc("ingest", 8000),
    ServiceProc("incident", 8001),
    ServiceProc("okr", 8002),
    ServiceProc("agent", 8003),
    ServiceProc("notifier", 8004),
    ServiceProc("rag", 8005),
)
SERVERS = ("temporal", "postgres", "nats")
# Webhook sources that get a generated development secret, so `emctl send` works right after `make up`.
DEV_WEBHOOK_SOURCES = (
    "github",
    "gitlab",
    "jira",
    "linear",
    "shortcut",
    "pagerduty",
    "sentry",
    "datadog",
    "newrelic",
    "alertmanager",
    "cloudwatch",
    "circleci",
    "jenkins",
    "argocd",
    "kubernetes",
    "ecs",
    "heroku",
    "codecov",
    "sonarqube",
)


def service_port(svc: ServiceProc) -> int:
    return int(os.environ.get(f"{svc.name.upper()}_PORT", svc.port))


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:
            return bool(resp.status == 200)
    except Exception:
        return False


def _dev_secret(run_dir: Path, name: str) -> str:
    """A secret generated once per `.run/` and kept, so restarts keep working credentials."""
    path = run_dir / name
    if not path.exists():
        path.write_text(f"dev-{secrets.token_urlsafe(18)}")
        path.chmod(0o600)
    return path.read_text().strip()


def platform_env(run_dir: Path, with_temporal: bool = True) -> dict[str, str]:
    """Start the servers that no URL points at; the environment the services run with."""
    ports = Ports.from_env()
    env = dict(os.environ)
    if not env.get("NATS_URL"):
        env["NATS_URL"] = start_nats(run_dir, ports.nats)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = start_postgres(run_dir, ports.postgres)
    if with_temporal and not env.get("TEMPORAL_ADDRESS"):
        env["TEMPORAL_ADDRESS"] = start_temporal(run_dir, ports.temporal)
    if not env.get("EM_API_KEYS"):
        env["EM_API_KEYS"] = f"{_dev_secret(run_dir, 'dev-api-key')}:chat+admin"
    if not env.get("EM_WEBHOOK_SECRETS_FILE") and not any(k.startswith("EM_WEBHOOK_SECRET_") for k in env):
        webhook_secret = _dev_secret(run_dir, "dev-webhook-secret")
        env.update({f"EM_WEBHOOK_SECRET_{source.upper()}": webhook_secret for source in DEV_WEBHOOK_SOURCES})
    return env


def up(run_dir: Path, timeout_s: float = 90.0) -> None:
    started = time.monotonic()
    run_dir.mkdir(parents=True, exist_ok=True)
    env = platform_env(run_dir)
    keep = (
        "NATS_URL",
        "DATABASE_URL",
        "TEMPORAL_ADDRESS",
        "EM_API_KEYS",
        *sorted(k for k in env if k.startswith("EM_WEBHOOK_SECRET_")),
    )
    (run_dir / "env").write_text("".join(f"export {k}='{env[k]}'\n" for k in keep))
    for svc in SERVICES:
        m = managed(run_dir, svc.name)
        port = service_port(svc)
        if m.pid() is not None:
            continue
        if port_open(port):
            raise DevEnvError(
                f"port {port} for {svc.name}-svc is taken by another process; set {svc.name.upper()}_PORT"
            )
        spawn(m, [sys.executable, "-m", svc.module], env=env)
    for svc in SERVICES:
        m = managed(run_dir, svc.name)
        remaining = max(5.0, timeout_s - (time.monotonic() - started))
        wait_until(
            lambda s=svc: _http_ok(f"http://127.0.0.1:{service_port(s)}/ready"),
            remaining,
            f"{svc.name}-svc",
            m.log_file,
            m,
        )
    print(f"EM Agent is up ({time.monotonic() - started:.1f}s). Data and logs under {run_dir}/")
    for svc in SERVICES:
        print(f"  {svc.name + '-svc':<13} http://127.0.0.1:{service_port(svc)}   (/ready, /metrics, /schema)")
    print(f"  NATS          {env['NATS_URL']}")
    print(f"  PostgreSQL    {env['DATABASE_URL']}")
    print(f"  Temporal      {env['TEMPORAL_ADDRESS']}")
    print(f"  API key       {env['EM_API_KEYS'].split(':')[0]}   (Authorization: Bearer <key>)")
    print(f"Environment for emctl and tools (NATS, API key, webhook secrets): source {run_dir}/env")


def down(run_dir: Path) -> None:
    for svc in SERVICES:
        if stop(managed(run_dir, svc.name)):
            print(f"stopped {svc.name}-svc")
    for server in SERVERS:
        if stop_server(run_dir, server):
            print(f"stopped {server}")


def status(run_dir: Path) -> int:
    down_count = 0
    for name in (*[s.name for s in SERVICES], *SERVERS):
        m = managed(run_dir, name)
        pid = m.pid()
        svc = next((s for s in SERVICES if s.name == name), None)
        if svc is not None:
            state = (
                "ready"
                if pid and _http_ok(f"http://127.0.0.1:{service_port(svc)}/ready")
                else ("running (not ready)" if pid else "stopped")
            )
        else:
            state = "running" if pid else "stopped (or external)"
        down_count += 0 if pid else 1
        print(f"{name:<10} {state:<22} pid={pid or '-'}")
    return 0


def logs(run_dir: Path, lines: int = 40) -> None:
    for path in sorted((run_dir / "logs").glob("*.log")):
        print(f"==> {path} <==")
        print("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="em-platform", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "logs"])
    parser.add_argument("--run-dir", default=os.environ.get("EM_RUN_DIR", ".run"))
    args = parser.parse_args(argv)
    run_dir = Path(args.run_dir).resolve()
    try:
        if args.command == "up":
            up(run_dir)
        elif args.command == "down":
            down(run_dir)
        elif args.command == "status":
            return status(run_dir)
        else:
            logs(run_dir)
    except DevEnvError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
