"""What the Anthropic and OpenAI providers share: both SDKs are generated from one template, so
their clients, transports, errors and Retry-After headers have the same shape. One place maps them."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from agent_svc.llm.types import LLMError, ProviderFailed, ProviderRejected, ProviderTimeout, RateLimited


def retry_after(headers: Any) -> float | None:
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name) if headers is not None else None
        if raw:
            try:
                return float(raw) * scale
            except ValueError:
                continue
    return None


def map_sdk_error(sdk: ModuleType, provider: str, exc: Exception) -> LLMError:
    """The SDK's exception as our typed error: timeouts and 408/429/5xx retryable, other 4xx not."""
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderTimeout(f"{provider}: request timed out")
    if isinstance(exc, sdk.APIConnectionError):
        return ProviderFailed(f"{provider}: connection failed ({exc})")
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        detail = getattr(exc, "api_message", None) or exc.message
        message = f"{provider}: HTTP {status}: {detail}"
        if status == 429:
            return RateLimited(message, status=status, retry_after_s=retry_after(exc.response.headers))
        if status >= 500 or status == 408:
            return ProviderFailed(message, status=status, retry_after_s=retry_after(exc.response.headers))
        return ProviderRejected(message, status=status)
    return ProviderFailed(f"{provider}: {type(exc).__name__}: {exc}")


def stream_error(provider: str, error: Any) -> LLMError:
    """An error event inside a 200 stream (the vendor failed mid-answer)."""
    kind = (getattr(error, "type", "") or getattr(error, "code", "") or "") if error is not None else ""
    message = f"{provider}: stream error {kind}: {getattr(error, 'message', '') or 'unknown'}"
    if "rate_limit" in kind:
        return RateLimited(message)
    if kind in ("invalid_request_error", "authentication_error", "permission_error", "not_found_error"):
        return ProviderRejected(message)
    return ProviderFailed(message)


class SdkProvider:
    """An SDK-backed provider: one client per process, the SDK's own retries off (ours are uniform)."""

    offline = False
    supports_structured = True
    # Set by each vendor's subclass: the SDK module, its async client class, the provider's name.
    sdk: ModuleType
    client_class: type
    name: str

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str = "",
        timeout_s: float = 30.0,
        http_client: str = "aiohttp",
    ) -> None:
        self.model = model
        # aiohttp: the SDK's transport for many concurrent calls (httpx's pool probes every idle
        # connection on each request, which cost more CPU than the rest of a chat turn at 100 sessions).
        http = self.sdk.DefaultAioHttpClient(timeout=timeout_s) if http_client == "aiohttp" else None
        self._client: Any = self.client_class(
            api_key=api_key or "unset",
            base_url=base_url or None,
            max_retries=0,
            timeout=timeout_s,
            http_client=http,
        )

    async def aclose(self) -> None:
        """Close the HTTP connections (the aiohttp session must be closed explicitly)."""
        await self._client.close()
