"""`make up` on a machine with nothing configured: embedded NATS, PostgreSQL and Temporal, six services
ready within 90 s, idempotent, and `make down` leaves no process behind."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from em_shared.devenv.processes import free_port, free_port_block, is_alive
from em_shared.devenv.servers import TEMPORAL_PORT_OFFSETS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _platform(args: list[str], env: dict[str, str], timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "em_shared.devenv.platform", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def test_up_boots_everything_on_embedded_servers_and_down_stops_it(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NATS_URL", "DATABASE_URL", "TEMPORAL_ADDRESS", "EM_API_KEYS", "EM_NAMESPACE")
    }
    ports = {name: free_port() for name in ("ingest", "incident", "okr", "agent", "notifier", "rag")}
    env.update({f"{name.upper()}_PORT": str(port) for name, port in ports.items()})
    nats_port, pg_port = free_port(), free_port()
    taken = {*ports.values(), nats_port, pg_port}
    env.update(
        {
            "EM_EMBEDDED_NATS_PORT": str(nats_port),
            "EM_EMBEDDED_PG_PORT": str(pg_port),
            # Temporal listens beside its port too (+10, +11, +1000): none of those may be one of ours.
            "EM_EMBEDDED_TEMPORAL_PORT": str(free_port_block(TEMPORAL_PORT_OFFSETS, avoid=taken)),
        }
    )
    run_dir = tmp_path / "run"
    try:
        started = time.monotonic()
        up = _platform(["up", "--run-dir", str(run_dir)], env)
        assert up.returncode == 0, up.stderr[-3000:] + up.stdout[-2000:]
        assert time.monotonic() - started < 90
        for port in ports.values():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as resp:
                assert resp.status == 200
        assert "API key" in up.stdout

        again = _platform(["up", "--run-dir", str(run_dir)], env)
        assert again.returncode == 0
        pids_before = sorted(p.read_text() for p in (run_dir / "pids").glob("*.pid"))
        assert len(pids_before) == 9

        exported = dict(
            line.removeprefix("export ").split("=", 1)
            for line in (run_dir / "env").read_text().split("\n")
            if line
        )
        status = subprocess.run(
            [sys.executable, "-m", "em_shared.ops.emctl", "status"],
            text=True,
            capture_output=True,
            env={**env, "NATS_URL": exported["NATS_URL"].strip("'")},
        )
        assert status.returncode == 0, status.stdout + status.stderr
        assert status.stdout.count("ready") == 6

        # The README's first try: a signed sample alert becomes an incident.
        tool_env = {
            **env,
            **{k: v.strip("'") for k, v in exported.items()},
            "INGEST_URL": f"http://127.0.0.1:{ports['ingest']}",
        }
        fixture = ROOT / "tests" / "fixtures" / "webhooks" / "alertmanager" / "firing.grouped_2_alerts.json"
        sent = subprocess.run(
            [sys.executable, "-m", "em_shared.ops.emctl", "send", str(fixture)],
            text=True,
            capture_output=True,
            env=tool_env,
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        incidents: list = []
        for _ in range(100):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{ports['incident']}/v1/incidents", timeout=5
            ) as resp:
                incidents = json.loads(resp.read())["items"]
            if incidents:
                break
            time.sleep(0.2)
        assert incidents, "the sample alert never became an incident"
    finally:
        pids = (
            [int(p.read_text()) for p in (run_dir / "pids").glob("*.pid")]
            if (run_dir / "pids").exists()
            else []
        )
        down = _platform(["down", "--run-dir", str(run_dir)], env)
    assert down.returncode == 0, down.stderr
    assert pids and not [pid for pid in pids if is_alive(pid)]
    assert not list((run_dir / "pids").glob("*.pid"))
