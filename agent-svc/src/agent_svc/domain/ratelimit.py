"""Per-key token buckets: `rate_per_minute` steady, `burst` at once; says how long to wait when empty."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: int
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> float:
        """0.0 when allowed (a token is spent), else the seconds until one is available."""
        if self.tokens < 0:
            self.tokens, self.updated = float(self.burst), now
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate_per_s)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate_per_s if self.rate_per_s > 0 else 60.0


@dataclass
class RateLimiter:
    rate_per_minute: float
    burst: int
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def check(self, key: str, now: float) -> float:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = TokenBucket(self.rate_per_minute / 60.0, self.burst)
        return bucket.take(now)
