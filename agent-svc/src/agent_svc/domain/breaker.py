"""A circuit breaker per LLM provider: closed -> open after N consecutive failures -> half-open
after a cool-down (one trial call) -> closed on success, open again on failure. Clock injected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CircuitBreaker:
    failure_threshold: int
    reset_after_s: float
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False

    def state(self, now: float) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if now - self.opened_at >= self.reset_after_s else "open"

    def allow(self, now: float) -> bool:
        state = self.state(now)
        if state == "closed":
            return True
        if state == "half_open" and not self.trial_in_flight:
            self.trial_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self.failures, self.opened_at, self.trial_in_flight = 0, None, False

    def record_failure(self, now: float) -> None:
        self.failures += 1
        if self.trial_in_flight or self.failures >= self.failure_threshold:
            self.opened_at = now
        self.trial_in_flight = False


def backoff_delay(
    attempt: int, base_s: float, max_s: float, retry_after_s: float | None, rand: float
) -> float:
    """Delay before retry `attempt` (0-based): the server's Retry-After when given, else full jitter."""
    if retry_after_s is not None and retry_after_s >= 0:
        return min(retry_after_s, max_s)
    return min(max_s, base_s * (2**attempt)) * rand
