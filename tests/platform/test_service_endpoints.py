"""Every service answers /health, /ready, /metrics, /schema over HTTP and rpc.<service>.ping over NATS."""

import importlib

import pytest
from em_shared.contracts.health import Ping, Pong
from em_shared.contracts.subjects import SERVICES, S
from em_shared.messaging.rpc import RpcClient
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service

pytestmark = pytest.mark.usefixtures("cleanup_namespace")


def _service(name: str, servers, namespace: str):
    app = importlib.import_module(f"{name}_svc.app")
    settings_mod = importlib.import_module(f"{name}_svc.settings")
    cls = getattr(settings_mod, f"{name.capitalize()}Settings")
    settings = load_settings(
        cls, {}, nats_url=servers.nats_url, database_url=servers.database_url, namespace=namespace
    )
    return app.create_service(settings), settings


@pytest.mark.parametrize("name", SERVICES)
async def test_service_serves_ops_endpoints_and_ping(name, servers, namespace, nc, topology):
    defn, settings = _service(name, servers, namespace)
    async with live_service(defn, settings) as svc, svc.client() as http:
        health = await http.get("/health")
        assert health.status_code == 200 and health.json()["service"] == name

        ready = await http.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["nats"] == "ok"
        assert ready.json()["checks"].get("migrations", "ok") == "ok"

        openapi = await http.get("/schema/openapi.json")
        assert openapi.status_code == 200 and "/health" in openapi.json()["paths"]
        ui = await http.get("/schema")
        assert ui.status_code == 200 and "<html" in ui.text.lower()

        pong = await RpcClient(nc, topology, timeout_s=5).call(S.ping(name), Ping(), Pong)
        assert (pong.service, pong.ready) == (name, True)

        metrics = await http.get("/metrics")
        assert metrics.status_code == 200
        assert "em_http_requests_total" in metrics.text
        assert f'em_messages_total{{outcome="ok",service="{name}",subject="rpc.{name}.ping"}}' in metrics.text
