"""Per-channel pacing: Slack allows about one message per second per channel, with short bursts.

A GCRA token bucket per channel. A caller reserves its slot before awaiting, so concurrent senders
to one channel queue in order instead of failing, and a 429 pushes the whole channel back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ChannelPacer:
    def __init__(
        self,
        rate_per_s: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate_per_s if rate_per_s > 0 else 0.0
        self._tolerance = max(burst - 1, 0) * self._interval
        self._tat: dict[str, float] = {}  # theoretical arrival time of the next message, per channel
        self._clock = clock
        self._sleep = sleep

    def reserve(self, channel: str) -> float:
        """Claim the next slot of `channel`; returns how long to wait for it (0 if free now)."""
        if self._interval == 0:
            return 0.0
        now = self._clock()
        tat = max(self._tat.get(channel, now), now)
        self._tat[channel] = tat + self._interval
        return max(tat - self._tolerance - now, 0.0)

    async def wait(self, channel: str) -> None:
        delay = self.reserve(channel)
        if delay > 0:
            await self._sleep(delay)

    def push_back(self, channel: str, seconds: float) -> None:
        """Slack said 429 for `channel`: nobody posts there again before `seconds` have passed."""
        now = self._clock()
        self._tat[channel] = max(self._tat.get(channel, now), now + seconds + self._tolerance)

    def forget_idle(self) -> None:
        """Drop channels whose slots are all in the past (keeps memory bounded)."""
        now = self._clock()
        for channel in [c for c, t in self._tat.items() if t < now]:
            del self._tat[channel]
