"""What to do after a failed Slack call: wait Retry-After, back off with jitter, or give up.

Pure, so the policy is tested without a clock: the delivery loop feeds it the failure and the
counts so far, and sleeps for whatever it returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Slack answers these with HTTP 200 and ok=false: retrying cannot help, dead-letter at once.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "users_not_found",
        "user_not_found",
        "cant_update_message",
        "message_not_found",
        "restricted_action",
        "invalid_arguments",
    }
)


@dataclass(frozen=True)
class Failure:
    """One failed call: HTTP status (None for a network error), Slack `error` code, Retry-After."""

    status: int | None
    error: str
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Decision:
    retry: bool
    delay_s: float
    counts_as_attempt: bool  # 429s are Slack pacing us, not failures: bounded separately
    reason: str


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_rate_limited: int = 20
    base_s: float = 0.5
    max_s: float = 30.0

    def decide(
        self, failure: Failure, attempts: int, rate_limited: int, rng: random.Random | None = None
    ) -> Decision:
        """`attempts` and `rate_limited` count the failures so far, this one included."""
        if failure.status == 429:
            if rate_limited >= self.max_rate_limited:
                return Decision(False, 0.0, False, f"still rate limited after {rate_limited} answers")
            # Honour Retry-After exactly (Slack's contract); a missing header gets a 1 s floor.
            return Decision(True, max(failure.retry_after_s or 1.0, 0.0), False, "rate limited")
        if not is_transient(failure):
            return Decision(False, 0.0, True, f"permanent error: {failure.error}")
        if attempts >= self.max_attempts:
            return Decision(False, 0.0, True, f"gave up after {attempts} attempts: {failure.error}")
        return Decision(True, self.backoff(attempts, rng), True, "transient")

    def backoff(self, attempts: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with "equal jitter" (half fixed, half random): spreads the retries of
        many senders while keeping a floor, so a struggling Slack still gets breathing room."""
        ceiling = min(self.max_s, self.base_s * 2 ** (attempts - 1))
        return (rng or random).uniform(ceiling / 2, ceiling)


def is_transient(failure: Failure) -> bool:
    if failure.status is None:
        return True  # network error or timeout
    if failure.status >= 500 or failure.status == 408:
        return True
    if failure.status == 200:
        return failure.error not in PERMANENT_ERRORS and failure.error in (
            "internal_error",
            "fatal_error",
            "service_unavailable",
            "request_timeout",
        )
    return False
