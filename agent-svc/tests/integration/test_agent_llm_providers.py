"""The real anthropic and openai SDKs against the fake provider over HTTP: text, tool calls, SSE
streaming, errors, 429 with Retry-After, slow answers, the circuit breaker and the fallback chain."""

from __future__ import annotations

import pytest
from agent_svc.domain.breaker import CircuitBreaker
from agent_svc.llm.anthropic import AnthropicProvider
from agent_svc.llm.chain import FallbackChain
from agent_svc.llm.offline import OfflineProvider
from agent_svc.llm.openai import OpenAIProvider
from agent_svc.llm.pricing import parse_prices
from agent_svc.llm.resilience import ResilientProvider, RetryPolicy
from agent_svc.llm.structured import StructuredOutputInvalid, complete_structured
from agent_svc.llm.types import (
    AllProvidersFailed,
    CircuitOpen,
    LLMRequest,
    Message,
    ProviderRejected,
    ProviderTimeout,
    RateLimited,
    ToolSpec,
)
from agent_svc.testing.fake_llm import Reply

TOOL = ToolSpec(
    name="metrics_dora",
    description="DORA figures",
    parameters={"type": "object", "properties": {"team": {"type": "string"}}},
)


_opened: list = []


@pytest.fixture(autouse=True)
async def _close_providers():
    yield
    while _opened:
        await _opened.pop().aclose()


def providers(fake, timeout_s=5.0, http_client="aiohttp"):
    made = {
        "anthropic": AnthropicProvider(
            "test-key", "claude-sonnet-4-6", fake.base_url, timeout_s, http_client
        ),
        "openai": OpenAIProvider("test-key", "gpt-4o-mini", fake.openai_base_url, timeout_s, http_client),
    }
    _opened.extend(made.values())
    return made


def ask(text="How often do we deploy?", tools=()):
    return LLMRequest(
        system="You are helpful.",
        messages=[Message(role="user", content=text)],
        tools=list(tools),
        session_id="sess-1",
    )


@pytest.mark.parametrize("http_client", ["aiohttp", "httpx"])
@pytest.mark.parametrize("vendor", ["anthropic", "openai"])
async def test_text_and_tool_calls_round_trip(fake_llm, vendor, http_client):
    provider = providers(fake_llm, http_client=http_client)[vendor]
    fake_llm.enqueue(Reply(tool_calls=[("metrics_dora", {"team": "payments"})]), Reply(text="Twice a day."))
    first = await provider.complete(ask(tools=[TOOL]))
    assert [(c.name, c.arguments) for c in first.tool_calls] == [("metrics_dora", {"team": "payments"})]
    assert first.usage.input_tokens > 0 and first.usage.output_tokens > 0
    follow = [
        *ask(tools=[TOOL]).messages,
        Message(role="assistant", tool_calls=first.tool_calls),
        Message(
            role="tool",
            content='{"deployment_frequency_per_day": 2}',
            tool_call_id=first.tool_calls[0].id,
            name="metrics_dora",
        ),
    ]
    second = await provider.complete(LLMRequest(system="s", messages=follow, tools=[TOOL]))
    assert second.text == "Twice a day." and not second.tool_calls
    wire = fake_llm.exchanges[-1]
    assert wire.tool_results == 1 and wire.tools == ["metrics_dora"]
    assert fake_llm.exchanges[0].user_tag == "sess-1"


@pytest.mark.parametrize("http_client", ["aiohttp", "httpx"])
@pytest.mark.parametrize("vendor", ["anthropic", "openai"])
async def test_streaming_text_and_tool_use(fake_llm, vendor, http_client):
    provider = providers(fake_llm, http_client=http_client)[vendor]
    fake_llm.enqueue(
        Reply(text="Deployment frequency is 2.4 per day, elite band."),
        Reply(tool_calls=[("metrics_dora", {"team": "search", "days": 7})]),
    )
    events = [e async for e in provider.stream(ask())]
    texts = [e.text for e in events if e.kind == "text"]
    assert len(texts) > 2 and "".join(texts) == "Deployment frequency is 2.4 per day, elite band."
    done = events[-1].response
    assert done is not None and done.text == "".join(texts) and done.usage.output_tokens > 0
    tool_events = [e async for e in provider.stream(ask(tools=[TOOL]))]
    call = tool_events[-1].response.tool_calls[0]
    assert (call.name, call.arguments) == ("metrics_dora", {"team": "search", "days": 7})


@pytest.mark.parametrize("http_client", ["aiohttp", "httpx"])
@pytest.mark.parametrize("vendor", ["anthropic", "openai"])
async def test_errors_map_to_typed_llm_errors(fake_llm, vendor, http_client):
    provider = providers(fake_llm, timeout_s=0.3, http_client=http_client)[vendor]
    fake_llm.enqueue(Reply(status=429, retry_after=7))
    with pytest.raises(RateLimited) as limited:
        await provider.complete(ask())
    assert limited.value.retry_after_s == 7.0
    fake_llm.enqueue(Reply(status=400, error_message="bad tool schema"))
    with pytest.raises(ProviderRejected, match="bad tool schema"):
        await provider.complete(ask())
    fake_llm.enqueue(Reply(text="late", latency_s=1.0))
    with pytest.raises(ProviderTimeout):
        await provider.complete(ask())


async def test_retries_honour_retry_after_then_succeed(fake_llm):
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)

    resilient = ResilientProvider(
        providers(fake_llm)["anthropic"],
        RetryPolicy(max_retries=2, base_s=0.01),
        CircuitBreaker(5, 30),
        sleep=sleep,
    )
    fake_llm.enqueue(Reply(status=429, retry_after=3), Reply(status=529), Reply(text="ok"))
    response = await resilient.complete(ask())
    assert response.text == "ok"
    assert waits[0] == 3.0  # the server's Retry-After, not our backoff
    assert 0 <= waits[1] <= 0.02  # full jitter of base * 2**1
    assert len(fake_llm.exchanges) == 3


async def test_breaker_opens_after_failures_and_chain_falls_back_to_offline(fake_llm):
    records = []
    now = [0.0]
    anthropic = ResilientProvider(
        providers(fake_llm)["anthropic"],
        RetryPolicy(max_retries=0),
        CircuitBreaker(2, 30.0),
        clock=lambda: now[0],
    )
    offline = ResilientProvider(OfflineProvider(), RetryPolicy(), CircuitBreaker(2, 30.0))
    chain = FallbackChain([anthropic, offline], parse_prices(""), records.append)
    fake_llm.enqueue(Reply(status=500), Reply(status=503))
    request = LLMRequest(
        system="s", messages=[Message(role="user", content="Sub-agent answers: none")], purpose="synthesis"
    )
    for _ in range(2):
        response = await chain.complete(request)
        assert response.offline and response.provider == "offline"
    # Open: the third call never reaches the vendor.
    before = len(fake_llm.exchanges)
    with pytest.raises(CircuitOpen):
        await anthropic.complete(request)
    assert len(fake_llm.exchanges) == before
    assert [r.outcome for r in records if r.provider == "anthropic"] == ["ProviderFailed", "ProviderFailed"]
    # Half-open after the cool-down: one trial that succeeds closes it again.
    now[0] = 31.0
    fake_llm.enqueue(Reply(text="back"))
    assert (await chain.complete(request)).provider == "anthropic"
    ok = next(r for r in records if r.outcome == "ok" and r.provider == "anthropic")
    assert ok.cost_usd > 0 and ok.input_tokens > 0  # claude-sonnet-4 prices applied


async def test_streaming_falls_back_before_first_token_only(fake_llm):
    chain = FallbackChain(
        [
            ResilientProvider(
                providers(fake_llm)["openai"], RetryPolicy(max_retries=0), CircuitBreaker(5, 30)
            ),
            ResilientProvider(OfflineProvider(), RetryPolicy(), CircuitBreaker(5, 30)),
        ],
        parse_prices(""),
    )
    fake_llm.enqueue(Reply(status=502))
    events = [
        e
        async for e in chain.stream(
            LLMRequest(
                system="s",
                messages=[
                    Message(
                        role="user",
                        content='<data source="agent:metrics" trust="untrusted">\n2 deploys\n</data>',
                    )
                ],
                purpose="synthesis",
            )
        )
    ]
    assert events[-1].response.provider == "offline"
    assert "2 deploys" in "".join(e.text for e in events if e.kind == "text")
    with pytest.raises(AllProvidersFailed):
        await FallbackChain([], parse_prices("")).complete(ask())


async def test_structured_output_validated_with_one_repair(fake_llm):
    import msgspec

    class Route(msgspec.Struct):
        agents: list[str]
        confidence: float

    chain = FallbackChain(
        [
            ResilientProvider(providers(fake_llm)["anthropic"], RetryPolicy(), CircuitBreaker(5, 30)),
            ResilientProvider(OfflineProvider(), RetryPolicy(), CircuitBreaker(5, 30)),
        ],
        parse_prices(""),
    )
    fake_llm.enqueue(
        Reply(text='```json\n{"agents": ["metrics"]}\n```'),
        Reply(text='{"agents": ["metrics"], "confidence": 0.9}'),
    )
    value, _ = await complete_structured(chain, ask(), Route)
    assert value == Route(agents=["metrics"], confidence=0.9)
    repair = fake_llm.exchanges[-1]
    assert "confidence" in repair.last_user and "JSON Schema" in repair.system
    fake_llm.enqueue(Reply(text="no json here"), Reply(text='{"agents": "metrics", "confidence": 1}'))
    with pytest.raises(StructuredOutputInvalid):
        await complete_structured(chain, ask(), Route)
