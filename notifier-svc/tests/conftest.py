"""Fixtures of notifier-svc tests: the fake Slack and a live notifier-svc wired to it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import LiveService, live_service
from notifier_svc.app import create_service
from notifier_svc.settings import NotifierSettings

# Test modules import the fake Slack and the test kit by name (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))
from fake_slack import FakeSlack
from notifier_testkit import SIGNING_SECRET, TOKEN


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(
        token=TOKEN, users_by_email={"dana@example.com": "U0DANA"}, user_groups={"S0ONCALL": ["U0BOB"]}
    ) as fake:
        yield fake


ROUTING = """
default_channel: "#incidents"
mention:
  group: S0ONCALL
  severities: [critical, high]
rules:
  - match: {service: billing}
    channel: "#billing-incidents"
  - match: {team: platform, severity: [critical]}
    channel: "#platform-sev1"
channels:
  C0LOCKED:
    allow: [U0CAROL, S0ONCALL]
"""


@pytest.fixture
def notifier_factory(
    servers: Any, namespace: str, cleanup_namespace: str, fake_slack: FakeSlack, tmp_path: Path
) -> Callable[..., Any]:
    """Start notifier-svc against the fake Slack; keyword arguments override settings."""
    rules = tmp_path / "routing.yaml"
    rules.write_text(ROUTING)

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[LiveService]:
        values: dict[str, Any] = {
            "nats_url": servers.nats_url,
            "database_url": servers.database_url,
            "namespace": namespace,
            "slack_bot_token": TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": fake_slack.api_url,
            "routing_rules_file": str(rules),
            "retry_base_s": 0.05,
            "retry_max_s": 0.2,
            "channel_rate_per_s": 50.0,
            "shutdown_grace_s": 2.0,
        }
        values.update(overrides)
        settings = load_settings(NotifierSettings, {}, **values)
        async with live_service(create_service(settings), settings) as svc:
            yield svc

    return start
