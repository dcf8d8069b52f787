"""Builds the provider chain from settings: EM_LLM_CHAIN names providers in fallback order."""

from __future__ import annotations

from agent_svc.domain.breaker import CircuitBreaker
from agent_svc.llm.anthropic import AnthropicProvider
from agent_svc.llm.chain import FallbackChain, Recorder
from agent_svc.llm.offline import OfflineProvider
from agent_svc.llm.openai import OpenAIProvider
from agent_svc.llm.pricing import parse_prices
from agent_svc.llm.resilience import ResilientProvider, RetryPolicy
from agent_svc.llm.types import LLMProvider
from agent_svc.settings import AgentSettings


def build_provider(name: str, settings: AgentSettings) -> LLMProvider:
    if name == "anthropic":
        return AnthropicProvider(
            settings.anthropic_api_key,
            settings.anthropic_model,
            settings.anthropic_base_url,
            settings.llm_timeout_s,
            settings.llm_http_client,
        )
    if name == "openai":
        return OpenAIProvider(
            settings.openai_api_key,
            settings.openai_model,
            settings.openai_base_url,
            settings.llm_timeout_s,
            settings.llm_http_client,
        )
    if name == "offline":
        return OfflineProvider()
    raise ValueError(f"EM_LLM_CHAIN: unknown provider {name!r} (anthropic, openai, offline)")


def build_chain(settings: AgentSettings, record: Recorder | None = None) -> FallbackChain:
    names = [n.strip() for n in settings.llm_chain.split(",") if n.strip()] or ["offline"]
    policy = RetryPolicy(
        settings.llm_timeout_s, settings.llm_max_retries, settings.llm_backoff_s, settings.llm_max_backoff_s
    )
    providers = [
        ResilientProvider(
            build_provider(name, settings),
            policy,
            CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_reset_s),
        )
        for name in names
    ]
    return FallbackChain(providers, parse_prices(settings.llm_prices), record)
