"""Codecov: its webhook notifier signs nothing, so the credential travels in the URL it is given.

Codecov's webhook notifier (codecov.yml `coverage.notify.webhook.<name>.url`) posts the comparison JSON
with three fixed headers - `Content-Type: application/json`, `Accept: application/json`,
`User-Agent: Codecov` - and no signature or token header (codecov/worker,
services/notification/notifiers/generics.py, `RequestsYamlBasedNotifier.json_headers` and
`send_actual_notification`). The only thing an operator controls is the URL, and Codecov's HTTP client
(httpx; requests in older workers) sends a URL's userinfo as HTTP Basic authentication. So the
documented way to authenticate Codecov is `https://codecov:<token>@ingest.example.com/webhooks/codecov`
(stored as a codecov.yml `secret:` value), checked here in constant time like every unsigned source;
Bearer and `X-Webhook-Token` are accepted too, for a relay in front of us.
"""

from __future__ import annotations

import base64

from ingest_svc.domain.verification import token
from ingest_svc.domain.verification.base import SignedRequest, Verified

USER = "codecov"


def verify(req: SignedRequest, secrets: list[str], now: float, window_s: float) -> Verified:
    return Verified("codecov-basic", token.verify(req, secrets, now, window_s).key_index)


def sign(secret: str, body: bytes, now: float) -> dict[str, str]:
    """What Codecov sends for `https://codecov:<secret>@host/webhooks/codecov`."""
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{secret}".encode()).decode()}
