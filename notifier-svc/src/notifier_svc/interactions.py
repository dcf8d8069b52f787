"""Use cases behind Slack interactivity: button clicks become `rpc.incident.*` commands, `/em` answers.

Bolt has already verified the request's signature and acknowledged it within 3 s when these run;
the incident message then changes through the lifecycle event incident-svc publishes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import structlog
from em_shared.contracts.incidents import IncidentAction, IncidentRef, IncidentSnapshot
from em_shared.messaging.errors import RpcFailure
from em_shared.messaging.rpc import RpcClient

from notifier_svc.domain.blocks import (
    ACK_ACTION,
    RESOLVE_ACTION,
    SlackMessage,
    help_message,
    incident_summary,
    refusal_message,
)
from notifier_svc.domain.routing import RoutingRules, is_allowed
from notifier_svc.slack.directory import GroupDirectory
from notifier_svc.slack.gateway import SlackCallFailed, SlackGateway

log = structlog.get_logger("notifier.interactions")

VERBS = {ACK_ACTION: "acknowledge", RESOLVE_ACTION: "resolve"}
COMMAND_RPC_TIMEOUT_S = 2.0  # the slash-command answer must reach Slack within its 3 s


class Interactions:
    def __init__(
        self,
        rpc: RpcClient,
        gateway: SlackGateway,
        rules: RoutingRules,
        groups: GroupDirectory,
        view_url: Callable[[IncidentSnapshot], str],
    ) -> None:
        self._rpc = rpc
        self._slack = gateway
        self._rules = rules
        self._groups = groups
        self._view_url = view_url

    async def click(
        self, action_id: str, incident_id: str, user_id: str, channel_id: str, channel_name: str | None
    ) -> str:
        """Carry out a button click; returns the outcome (done, refused, failed) for logs and tests."""
        verb = VERBS[action_id]
        principals = self._rules.allowed_principals(channel_id)
        if principals is None and channel_name:
            principals = self._rules.allowed_principals(f"#{channel_name}")
        groups = await self._groups.groups_of(user_id, principals) if principals else frozenset()
        if not is_allowed(principals, user_id, groups):
            log.info(
                "button click refused", user=user_id, channel=channel_id, verb=verb, incident_id=incident_id
            )
            await self._ephemeral(channel_id, user_id, refusal_message(verb))
            return "refused"
        try:
            await self._rpc.call(
                f"rpc.incident.{verb}",
                IncidentAction(id=incident_id, actor=f"slack:{user_id}", via="slack"),
                dict,
            )
        except RpcFailure as exc:
            log.warning(
                "incident action failed", verb=verb, incident_id=incident_id, code=exc.code, error=exc.message
            )
            await self._ephemeral(
                channel_id, user_id, f":warning: Could not {verb} the incident: {exc.message}"
            )
            return "failed"
        log.info("incident action done", verb=verb, incident_id=incident_id, user=user_id)
        return "done"

    async def command(self, text: str) -> SlackMessage:
        """`/em incident <id>` and `/em help`; anything else gets the help with a hint."""
        words = text.split()
        if not words or words[0] == "help":
            return help_message()
        if words[0] == "incident" and len(words) == 2:
            return await self._incident(words[1])
        return help_message(f"Unknown command `{text.strip()[:100]}`.")

    async def _incident(self, ref: str) -> SlackMessage:
        try:
            result = await self._rpc.call(
                "rpc.incident.get", IncidentRef(id=ref), dict, timeout_s=COMMAND_RPC_TIMEOUT_S
            )
            incident = snapshot_from(result)
        except RpcFailure as exc:
            return SlackMessage(text=f":warning: Incident `{ref[:100]}`: {exc.message}")
        except (msgspec.ValidationError, TypeError) as exc:
            log.warning("unexpected rpc.incident.get reply", error=str(exc))
            return SlackMessage(text=f":warning: Incident `{ref[:100]}`: unexpected answer from incident-svc")
        return incident_summary(incident, self._view_url(incident))

    async def _ephemeral(self, channel: str, user: str, text: str) -> None:
        try:
            await self._slack.call("chat.postEphemeral", channel=channel, user=user, text=text)
        except SlackCallFailed as exc:
            log.warning("ephemeral reply failed", channel=channel, user=user, error=exc.reason)


def snapshot_from(result: Any) -> IncidentSnapshot:
    """`rpc.incident.get` answers the incident, possibly wrapped with its timeline: accept both."""
    if isinstance(result, dict) and isinstance(result.get("incident"), dict):
        result = result["incident"]
    return msgspec.convert(result, IncidentSnapshot, strict=False)
