"""The fallback chain (EM_LLM_CHAIN, e.g. anthropic,openai,offline): the first provider that answers
wins; every attempt is recorded with tokens, cost, latency and outcome."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec

from agent_svc.llm.pricing import cost_usd
from agent_svc.llm.resilience import ResilientProvider
from agent_svc.llm.types import AllProvidersFailed, LLMError, LLMRequest, LLMResponse, StreamEvent


class CallRecord(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    model: str
    purpose: str
    session_id: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    outcome: str  # ok | error class name
    error: str | None = None


Recorder = Callable[[CallRecord], Any]


class FallbackChain:
    def __init__(
        self,
        providers: list[ResilientProvider],
        prices: dict[str, tuple[float, float]],
        record: Recorder | None = None,
    ) -> None:
        self.providers = providers
        self._prices = prices
        self._record = record or (lambda _: None)

    @property
    def online(self) -> bool:
        return any(not p.provider.offline for p in self.providers)

    async def aclose(self) -> None:
        for p in self.providers:
            close = getattr(p.provider, "aclose", None)  # the offline provider holds no connections
            if close is not None:
                await close()

    def _candidates(self, request: LLMRequest) -> list[ResilientProvider]:
        return [p for p in self.providers if not request.structured or p.provider.supports_structured]

    def _priced(self, response: LLMResponse, request: LLMRequest) -> LLMResponse:
        cost = cost_usd(
            self._prices, response.model, response.usage.input_tokens, response.usage.output_tokens
        )
        priced = msgspec.structs.replace(response, cost_usd=cost)
        self._log(request, priced.provider, priced.model, priced, priced.latency_ms, "ok", None)
        return priced

    def _log(
        self,
        request: LLMRequest,
        provider: str,
        model: str,
        response: LLMResponse | None,
        latency_ms: float,
        outcome: str,
        error: str | None,
    ) -> None:
        self._record(
            CallRecord(
                provider=provider,
                model=model,
                purpose=request.purpose,
                session_id=request.session_id,
                input_tokens=response.usage.input_tokens if response else 0,
                output_tokens=response.usage.output_tokens if response else 0,
                cost_usd=response.cost_usd if response else 0.0,
                latency_ms=latency_ms,
                outcome=outcome,
                error=error,
            )
        )

    def _failed(self, request: LLMRequest, p: ResilientProvider, started: float, exc: LLMError) -> None:
        self._log(
            request,
            p.name,
            p.provider.model,
            None,
            (time.perf_counter() - started) * 1000,
            type(exc).__name__,
            str(exc)[:500],
        )

    async def complete(self, request: LLMRequest) -> LLMResponse:
        errors: list[tuple[str, LLMError]] = []
        for p in self._candidates(request):
            started = time.perf_counter()
            try:
                return self._priced(await p.complete(request), request)
            except LLMError as exc:
                self._failed(request, p, started, exc)
                errors.append((p.name, exc))
        raise AllProvidersFailed(errors)

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]:
        errors: list[tuple[str, LLMError]] = []
        for p in self._candidates(request):
            started, streamed = time.perf_counter(), False
            try:
                async for event in p.stream(request):
                    if event.kind == "done" and event.response is not None:
                        yield StreamEvent(kind="done", response=self._priced(event.response, request))
                        return
                    streamed = True
                    yield event
            except LLMError as exc:
                self._failed(request, p, started, exc)
                if streamed:
                    raise
                errors.append((p.name, exc))
        raise AllProvidersFailed(errors)
