"""Which Slack user groups a user belongs to, for button allow-lists; cached to stay inside 3 s acks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import structlog

from notifier_svc.slack.gateway import SlackCallFailed, SlackGateway

log = structlog.get_logger("notifier.directory")


class GroupDirectory:
    def __init__(
        self, gateway: SlackGateway, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._slack = gateway
        self._ttl = ttl_s
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    async def groups_of(self, user_id: str, candidates: Iterable[str]) -> frozenset[str]:
        """The groups among `candidates` (ids starting with S) that contain `user_id`."""
        found = set()
        for group in candidates:
            if group.startswith("S") and user_id in await self.members(group):
                found.add(group)
        return frozenset(found)

    async def members(self, group: str) -> frozenset[str]:
        cached = self._members.get(group)
        if cached and self._clock() - cached[0] < self._ttl:
            return cached[1]
        try:
            answer = await self._slack.call("usergroups.users.list", usergroup=group)
        except SlackCallFailed as exc:
            # Fail closed: an unknown membership never grants the right to act.
            log.warning("user group lookup failed", group=group, error=exc.reason)
            return frozenset()
        members = frozenset(answer.get("users") or [])
        self._members[group] = (self._clock(), members)
        return members
