"""compose.yaml and deploy/k8s agree with the code: commands, ports and environment variables.

No Docker engine runs here, so the deployment files are checked structurally against the settings
classes they configure: a renamed variable or a moved port fails this test, not a production rollout.
"""

import importlib
from pathlib import Path

import pytest
import yaml
from em_shared.contracts.subjects import SERVICES
from em_shared.runtime.settings import describe, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_class(name: str) -> type:
    return getattr(importlib.import_module(f"{name}_svc.settings"), f"{name.capitalize()}Settings")


def _known_variables(name: str) -> set[str]:
    return {row[0] for row in describe(_settings_class(name))}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_the_infrastructure(compose):
    services = compose["services"]
    assert {"nats", "postgres", "temporal"} <= set(services)
    assert "-js" in services["nats"]["command"]
    assert "pgvector" in services["postgres"]["image"]
    assert services["temporal"]["command"][:2] == ["server", "start-dev"]


@pytest.mark.parametrize("name", SERVICES)
def test_compose_service_matches_its_settings(compose, name):
    svc = compose["services"][name]
    port = load_settings(_settings_class(name), {}).port
    assert svc["command"] == ["python", "-m", f"{name}_svc"]
    assert f"{port}:{port}" in svc["ports"]
    env = svc["environment"]
    assert env[f"{name.upper()}_PORT"] == str(port)
    unknown = set(env) - _known_variables(name)
    assert not unknown, f"compose sets variables {name}-svc does not read: {unknown}"
    assert env["NATS_URL"].startswith("nats://nats:")
    assert "@postgres:" in env["DATABASE_URL"]
    assert svc["image"] == "em-agent:latest" and svc["build"] == "."


@pytest.mark.parametrize("name", SERVICES)
def test_kubernetes_manifest_matches_its_settings(name):
    docs = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / f"{name}.yaml").read_text()))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    service = next(d for d in docs if d["kind"] == "Service")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    port = load_settings(_settings_class(name), {}).port
    assert container["command"] == ["python", "-m", f"{name}_svc"]
    assert container["ports"][0]["containerPort"] == port
    assert {e["name"]: e["value"] for e in container["env"]}[f"{name.upper()}_PORT"] == str(port)
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert service["spec"]["ports"][0]["port"] == port
    kustomization = yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())
    assert f"{name}.yaml" in kustomization["resources"]


def test_shared_configmap_sets_only_known_variables():
    docs = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "config.yaml").read_text()))
    common = {row[0] for row in describe(_settings_class("ingest"))}
    for doc in docs:
        values = doc.get("data") or doc.get("stringData") or {}
        shared_vars = {
            k for k in values if k not in ("EM_API_KEYS", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
        }
        assert shared_vars <= common, shared_vars - common


def test_dockerfile_builds_with_uv_from_the_lockfile():
    text = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in text and text.count("FROM ") >= 2
