"""The provider-neutral shapes of a model call: messages, tools, responses, stream events, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import msgspec


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments object


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    arguments: dict[str, Any]


class Message(msgspec.Struct, frozen=True, kw_only=True):
    role: str  # user | assistant | tool
    content: str = ""
    tool_calls: list[ToolCall] = []
    tool_call_id: str | None = None  # role=tool: which call this answers
    name: str | None = None  # role=tool: the tool's name
    is_error: bool = False


class LLMRequest(msgspec.Struct, frozen=True, kw_only=True):
    system: str
    messages: list[Message]
    tools: list[ToolSpec] = []
    max_tokens: int = 1024
    purpose: str = "chat"  # classify | agent:<name> | synthesis | summary | repair
    structured: bool = False  # the reply must be JSON (providers that cannot are skipped)
    session_id: str | None = None  # passed to the vendor as the end-user id, recorded with usage


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0


class LLMResponse(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    tool_calls: list[ToolCall] = []
    usage: Usage = Usage()
    provider: str = ""
    model: str = ""
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    offline: bool = False


class StreamEvent(msgspec.Struct, frozen=True, kw_only=True):
    """`text` deltas, then one `done` carrying the whole response."""

    kind: str
    text: str = ""
    response: LLMResponse | None = None


class LLMError(Exception):
    """A failed model call. `retryable`: worth another attempt (429, 5xx, timeouts, connection)."""

    retryable = False

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class RateLimited(LLMError):
    retryable = True


class ProviderFailed(LLMError):
    retryable = True


class ProviderTimeout(LLMError):
    retryable = True


class ProviderRejected(LLMError):
    """4xx other than 408/429: our request or key is wrong; retrying cannot help."""


class CircuitOpen(LLMError):
    pass


class Unsupported(LLMError):
    pass


class AllProvidersFailed(LLMError):
    def __init__(self, errors: list[tuple[str, LLMError]]) -> None:
        detail = "; ".join(f"{name}: {err}" for name, err in errors) or "no provider configured"
        super().__init__(f"every LLM provider failed ({detail})")
        self.errors = errors


class LLMProvider(Protocol):
    """One vendor (or the offline composer). Raises LLMError subclasses, never vendor exceptions."""

    name: str
    model: str
    offline: bool
    supports_structured: bool

    async def complete(self, request: LLMRequest) -> LLMResponse: ...

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]: ...


class LLMClient(Protocol):
    """What agents and the coordinator use: a provider or a resilient chain of them."""

    async def complete(self, request: LLMRequest) -> LLMResponse: ...

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamEvent]: ...

    @property
    def online(self) -> bool: ...
