"""Sample deliveries (the fixture files in tests/fixtures/webhooks) signed the way each vendor signs.

Used by `emctl send` to let a newcomer try the platform, and by the tests to drive real HTTP.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest_svc.domain.sources import SOURCES

# Fixture directories named after the vendor product, mapped to our webhook source names.
FIXTURE_SOURCES = {
    "aws_sns": "cloudwatch",
    "aws_eventbridge": "cloudwatch",
    "aws_ecs": "ecs",
    "github_actions": "github",
}


@dataclass
class Sample:
    source: str
    event: str
    headers: dict[str, str]
    body: bytes
    path: Path | None = None

    def fresh(self) -> Sample:
        """A copy that the service sees as a new delivery (new vendor delivery id / event id)."""
        headers = dict(self.headers)
        new_id = str(uuid.uuid4())
        for name in ("X-GitHub-Delivery", "X-Gitlab-Event-UUID", "Request-ID", "Linear-Delivery"):
            if name in headers:
                headers[name] = new_id
        payload = json.loads(self.body) if self.body.strip().startswith(b"{") else None
        if isinstance(payload, dict):
            for key in ("id", "MessageId", "taskId"):
                if isinstance(payload.get(key), str):
                    payload[key] = new_id
            if isinstance(payload.get("event"), dict) and "id" in payload["event"]:
                payload["event"]["id"] = new_id
            return Sample(self.source, self.event, headers, json.dumps(payload).encode(), self.path)
        return Sample(self.source, self.event, headers, self.body, self.path)

    def refresh_timestamps(self, now: float | None = None) -> Sample:
        """Linear signs a timestamp inside the body; a sample from the docs is years old."""
        if self.source != "linear":
            return self
        payload = json.loads(self.body)
        payload["webhookTimestamp"] = int((now or time.time()) * 1000)
        return Sample(self.source, self.event, self.headers, json.dumps(payload).encode(), self.path)

    def signed(self, secret: str, now: float | None = None) -> dict[str, str]:
        """Headers plus the vendor's signature (or token) for `secret`."""
        scheme = SOURCES[self.source].scheme
        headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
        headers.update(scheme.sign(secret, self.body, now or time.time()))
        return headers


def load(path: Path) -> Sample:
    raw: dict[str, Any] = json.loads(path.read_text())
    source = FIXTURE_SOURCES.get(raw["source"], raw["source"])
    if source not in SOURCES:
        raise ValueError(f"{path}: {raw['source']} is not a webhook source of ingest-svc")
    body = raw["body"]
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Sample(source, raw.get("event", ""), dict(raw.get("headers", {})), data, path)
