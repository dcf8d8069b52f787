"""agent-svc settings: the shared ones plus LLM providers, resilience, chat limits and keys."""

from typing import Annotated, Literal

from em_shared.runtime.settings import CommonSettings, env


class AgentSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("AGENT_PORT", "HTTP port of agent-svc.")] = 8003

    # Providers, tried in this order; `offline` needs no key and never fails, so it ends a chain.
    llm_chain: Annotated[
        str, env("EM_LLM_CHAIN", "Comma-separated provider fallback chain: anthropic, openai, offline.")
    ] = "offline"
    anthropic_api_key: Annotated[str, env("ANTHROPIC_API_KEY", "API key of the Anthropic provider.")] = ""
    anthropic_model: Annotated[
        str,
        env(
            "EM_ANTHROPIC_MODEL",
            "Anthropic model name (the default is a current model: the SDK warns on models near end-of-life).",
        ),
    ] = "claude-sonnet-4-6"
    anthropic_base_url: Annotated[
        str, env("EM_ANTHROPIC_BASE_URL", "Anthropic API base URL (empty: the SDK default).")
    ] = ""
    openai_api_key: Annotated[
        str, env("OPENAI_API_KEY", "API key of the OpenAI(-compatible) provider; Ollama accepts any.")
    ] = ""
    openai_model: Annotated[str, env("EM_OPENAI_MODEL", "OpenAI(-compatible) model name.")] = "gpt-4o-mini"
    openai_base_url: Annotated[
        str,
        env("EM_OPENAI_BASE_URL", "OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 for Ollama."),
    ] = ""
    llm_timeout_s: Annotated[float, env("EM_LLM_TIMEOUT_S", "Timeout of one model call attempt.")] = 30.0
    llm_http_client: Annotated[
        Literal["aiohttp", "httpx"],
        env(
            "EM_LLM_HTTP_CLIENT",
            "HTTP transport of the vendor SDKs: aiohttp (many concurrent calls) or httpx.",
        ),
    ] = "aiohttp"
    llm_max_retries: Annotated[
        int, env("EM_LLM_MAX_RETRIES", "Retries of a model call on 429/5xx/timeouts (per provider).")
    ] = 2
    llm_backoff_s: Annotated[float, env("EM_LLM_BACKOFF_S", "First retry delay; doubles, full jitter.")] = 0.5
    llm_max_backoff_s: Annotated[
        float, env("EM_LLM_MAX_BACKOFF_S", "Longest wait between retries, Retry-After included.")
    ] = 20.0
    llm_breaker_failures: Annotated[
        int, env("EM_LLM_BREAKER_FAILURES", "Consecutive failed calls that open a provider's circuit.")
    ] = 5
    llm_breaker_reset_s: Annotated[
        float, env("EM_LLM_BREAKER_RESET_S", "Seconds an open circuit waits before one trial call.")
    ] = 30.0
    llm_max_tokens: Annotated[int, env("EM_LLM_MAX_TOKENS", "Output token budget of one model call.")] = 1024
    llm_prices: Annotated[
        str,
        env("EM_LLM_PRICES", "Extra prices, USD per million tokens: 'model=input/output;model2=in/out'."),
    ] = ""

    # Agents and tools.
    agent_timeout_s: Annotated[
        float, env("EM_AGENT_TIMEOUT_S", "Per sub-agent deadline; a late agent degrades the answer.")
    ] = 45.0
    agent_concurrency: Annotated[
        int, env("EM_AGENT_CONCURRENCY", "Sub-agent runs one process serves at once, per agent.")
    ] = 200
    serve_subagents: Annotated[
        bool,
        env(
            "EM_AGENT_SERVE_SUBAGENTS",
            "Answer rpc.agent.<name>.run in this process. false: a chat front end whose sub-agents "
            "run in other agent-svc processes (which keep it true).",
        ),
    ] = True
    agent_max_steps: Annotated[int, env("EM_AGENT_MAX_STEPS", "Model rounds one sub-agent may take.")] = 4
    tool_timeout_s: Annotated[
        float, env("EM_TOOL_TIMEOUT_S", "Timeout of one tool call (a NATS request).")
    ] = 5.0
    tool_result_max_bytes: Annotated[
        int, env("EM_TOOL_RESULT_MAX_BYTES", "Largest tool result passed to a model; longer ones are cut.")
    ] = 8000

    # Chat.
    api_keys: Annotated[
        str, env("EM_API_KEYS", "API keys and scopes: 'key1:chat,key2:chat+admin'. Empty: a dev key is made.")
    ] = ""
    rate_per_minute: Annotated[
        float, env("EM_AGENT_RATE_PER_MIN", "Chat requests per minute per API key (429 beyond).")
    ] = 120.0
    rate_burst: Annotated[int, env("EM_AGENT_RATE_BURST", "Chat requests a quiet key may send at once.")] = 30
    cache_ttl_s: Annotated[
        float, env("EM_AGENT_CACHE_TTL_S", "Seconds an answer is reused for the same question (0: off).")
    ] = 300.0
    history_max_messages: Annotated[
        int, env("EM_AGENT_HISTORY_MAX", "Messages kept verbatim; older ones are summarised.")
    ] = 12
