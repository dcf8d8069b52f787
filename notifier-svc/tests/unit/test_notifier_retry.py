"""Retry decisions and per-channel pacing, with a fake clock: no sleeping in unit tests."""

from __future__ import annotations

import random

from notifier_svc.domain.retry import Failure, RetryPolicy
from notifier_svc.slack.pacing import ChannelPacer

POLICY = RetryPolicy(max_attempts=4, max_rate_limited=3, base_s=0.5, max_s=4.0)


def test_429_waits_exactly_retry_after_and_does_not_use_up_attempts():
    d = POLICY.decide(Failure(429, "ratelimited", 7.0), attempts=0, rate_limited=1)
    assert (d.retry, d.delay_s, d.counts_as_attempt) == (True, 7.0, False)
    assert POLICY.decide(Failure(429, "ratelimited", None), 0, 1).delay_s == 1.0
    assert not POLICY.decide(Failure(429, "ratelimited", 1.0), 0, 3).retry


def test_5xx_and_network_errors_back_off_with_jitter_until_the_limit():
    rng = random.Random(7)
    delays = [POLICY.decide(Failure(503, "http_503"), n, 0, rng).delay_s for n in (1, 2, 3)]
    for n, delay in zip((1, 2, 3), delays, strict=True):
        ceiling = min(4.0, 0.5 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert POLICY.decide(Failure(None, "ClientConnectorError"), 1, 0).retry
    final = POLICY.decide(Failure(500, "http_500"), 4, 0)
    assert not final.retry and final.reason == "gave up after 4 attempts: http_500"
    # Jitter: many senders do not retry in lockstep.
    assert len({round(POLICY.backoff(3), 6) for _ in range(20)}) > 1


def test_permanent_slack_errors_are_not_retried():
    for error in ("channel_not_found", "invalid_auth", "invalid_blocks"):
        d = POLICY.decide(Failure(200, error), 1, 0)
        assert not d.retry and d.reason == f"permanent error: {error}"
    assert POLICY.decide(Failure(200, "internal_error"), 1, 0).retry
    assert not POLICY.decide(Failure(400, "http_400"), 1, 0).retry


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacer_spaces_one_channel_and_leaves_others_alone():
    clock = Clock()
    pacer = ChannelPacer(rate_per_s=1.0, burst=2, clock=clock)
    assert [pacer.reserve("#a") for _ in range(4)] == [0.0, 0.0, 1.0, 2.0]
    assert pacer.reserve("#b") == 0.0
    clock.now += 10
    assert pacer.reserve("#a") == 0.0


def test_pacer_push_back_after_429_delays_the_whole_channel():
    clock = Clock()
    pacer = ChannelPacer(rate_per_s=1.0, burst=1, clock=clock)
    assert pacer.reserve("#a") == 0.0
    pacer.push_back("#a", 30.0)
    assert pacer.reserve("#a") == 30.0
    pacer.forget_idle()
    assert pacer.reserve("#b") == 0.0
