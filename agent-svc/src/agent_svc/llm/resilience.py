"""Resilience around one provider: per-attempt timeout, retries with backoff and jitter honouring
Retry-After, and a circuit breaker, so a struggling vendor fails fast and the chain moves on."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from agent_svc.domain.breaker import CircuitBreaker, backoff_delay
from agent_svc.llm.types import (
    CircuitOpen,
    LLMError,
    LLMProvider,
    LLMRequest,
    LLMResponse,
    ProviderTimeout,
    StreamEvent,
)


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 30.0
    max_retries: int = 2
    base_s: float = 0.5
    max_backoff_s: float = 20.0


class ResilientProvider:
    """Wraps a provider; raises LLMError after its retries, CircuitOpen while the circuit is open."""

    def __init__(
        self,
        provider: LLMProvider,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.policy = policy
        self.breaker = breaker
        self._sleep = sleep
        self._clock = clock
        self.retries = 0  # observed by tests and /v2/agents diagnostics

    @property
    def name(self) -> str:
        return self.provider.name

    def _admit(self) -> None:
        if not self.breaker.allow(self._clock()):
            raise CircuitOpen(f"{self.name}: circuit open after repeated failures")

    def _failed(self, exc: LLMError) -> None:
        if exc.retryable:
            self.breaker.record_failure(self._clock())
        else:  # our request was wrong; the provider itself is fine
            self.breaker.record_success()

    async def _wait(self, attempt: int, exc: LLMError) -> None:
        self.retries += 1
        await self._sleep(
            backoff_delay(
                attempt, self.policy.base_s, self.policy.max_backoff_s, exc.retry_after_s, random.random()
            )
        )

    async def complete(self, request: LLMRequest) -> LLMResponse:
        self._admit()
        for attempt in range(self.policy.max_retries + 1):
            try:
                async with asyncio.timeout(self.policy.timeout_s):
                    response = await self.provider.complete(request)
            except TimeoutError:
                error: LLMError = ProviderTimeout(f"{self.name}: no answer within {self.policy.timeout_s:g}s")
            except LLMError as exc:
                error = exc
            else:
                self.breaker.record_success()
                return response
            if not error.retryable or attempt == self.policy.max_retries:
                self._failed(error)
                raise error
            await self._wait(attempt, error)
        raise AssertionError("unreachable")

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]:
        """Retries only before the first token: a half-streamed answer cannot be taken back."""
        self._admit()
        for attempt in range(self.policy.max_retries + 1):
            started = False
            try:
                async with asyncio.timeout(self.policy.timeout_s):
                    async for event in self.provider.stream(request):
                        started = True
                        yield event
            except TimeoutError:
                error: LLMError = ProviderTimeout(f"{self.name}: no answer within {self.policy.timeout_s:g}s")
            except LLMError as exc:
                error = exc
            else:
                self.breaker.record_success()
                return
            if started or not error.retryable or attempt == self.policy.max_retries:
                self._failed(error)
                raise error
            await self._wait(attempt, error)
