"""USD per million tokens by model prefix, so every call's cost is recorded with its usage.

Defaults cover common models; EM_LLM_PRICES adds or overrides ('model=in/out;...'). An unknown
model costs 0 and is still recorded with its token counts.
"""

from __future__ import annotations

DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-5-sonnet": (3.0, 15.0),
    "claude-haiku-4": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4o": (2.5, 10.0),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1": (2.0, 8.0),
    "offline": (0.0, 0.0),
}


def parse_prices(spec: str) -> dict[str, tuple[float, float]]:
    prices = dict(DEFAULT_PRICES)
    for item in filter(None, (p.strip() for p in spec.split(";"))):
        model, _, pair = item.partition("=")
        inp, _, out = pair.partition("/")
        prices[model.strip()] = (float(inp), float(out))
    return prices


def cost_usd(
    prices: dict[str, tuple[float, float]], model: str, input_tokens: int, output_tokens: int
) -> float:
    # Longest matching prefix: "gpt-4o-mini-2024" is priced as gpt-4o-mini, not gpt-4o.
    match = max((p for p in prices if model.startswith(p)), key=len, default=None)
    if match is None:
        return 0.0
    inp, out = prices[match]
    return (input_tokens * inp + output_tokens * out) / 1_000_000
