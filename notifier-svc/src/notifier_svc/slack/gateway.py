"""Slack Web API calls through the real slack_sdk, with pacing, Retry-After and backoff.

Every outgoing call goes through `SlackGateway.call`: 429 waits exactly Retry-After (and pushes the
channel back), 5xx and network errors back off with jitter, permanent errors fail at once.
A call that finally fails raises `SlackCallFailed` for the caller to dead-letter.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from notifier_svc.domain.retry import Failure, RetryPolicy
from notifier_svc.slack.pacing import ChannelPacer

log = structlog.get_logger("notifier.slack")

# chat.postMessage is the per-channel limited method; updates and lookups are paced by Slack's tiers only.
PACED = frozenset({"chat.postMessage"})


class SlackCallFailed(Exception):
    def __init__(self, method: str, failure: Failure, attempts: int, reason: str) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.failure = failure
        self.attempts = attempts
        self.reason = reason


class SlackGateway:
    def __init__(
        self,
        client: AsyncWebClient,
        pacer: ChannelPacer,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self._pacer = pacer
        self._policy = policy
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """Call `method` until it succeeds or the policy gives up; returns Slack's JSON answer."""
        channel = kwargs.get("channel")
        attempts = rate_limited = 0
        while True:
            if method in PACED and channel:
                await self._pacer.wait(channel)
            try:
                response = await self._invoke(method, kwargs)
                return dict(response.data)
            except SlackApiError as exc:
                failure = _failure_of(exc)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                failure = Failure(None, f"{type(exc).__name__}: {exc}")
            attempts += failure.status != 429
            rate_limited += failure.status == 429
            decision = self._policy.decide(failure, attempts, rate_limited, self._rng)
            if not decision.retry:
                raise SlackCallFailed(method, failure, attempts + rate_limited, decision.reason)
            if failure.status == 429 and channel:
                self._pacer.push_back(channel, decision.delay_s)
            log.warning(
                "slack call failed; retrying",
                method=method,
                channel=channel,
                status=failure.status,
                error=failure.error,
                delay_s=round(decision.delay_s, 3),
                attempt=attempts,
            )
            await self._sleep(decision.delay_s)

    async def _invoke(self, method: str, kwargs: dict[str, Any]) -> Any:
        c = self.client
        match method:
            case "chat.postMessage":
                return await c.chat_postMessage(**kwargs)
            case "chat.update":
                return await c.chat_update(**kwargs)
            case "chat.postEphemeral":
                return await c.chat_postEphemeral(**kwargs)
            case "users.lookupByEmail":
                return await c.users_lookupByEmail(**kwargs)
            case "conversations.open":
                return await c.conversations_open(**kwargs)
            case "usergroups.users.list":
                return await c.usergroups_users_list(**kwargs)
        return await c.api_call(method, json=kwargs)


def _failure_of(exc: SlackApiError) -> Failure:
    response = exc.response
    data = response.data if isinstance(response.data, dict) else {}
    retry_after = None
    header = (response.headers or {}).get("Retry-After") or (response.headers or {}).get("retry-after")
    if header:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    return Failure(
        response.status_code, str(data.get("error") or f"http_{response.status_code}"), retry_after
    )
