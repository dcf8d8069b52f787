"""Routing rules: which channel an incident goes to, whom it mentions, and who may press its buttons.

Rules are data (a YAML file parsed by the caller into a dict) so on-call leads can change them
without a deploy; the first matching rule wins, and nothing matching means the default channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from em_shared.contracts.incidents import SEVERITIES, IncidentSnapshot

# SEV1/SEV2 in incident-speak are the two top severities of the contract.
SEV_NAMES = {"critical": "SEV1", "high": "SEV2", "medium": "SEV3", "low": "SEV4"}
DEFAULT_MENTION_SEVERITIES = ("critical", "high")


class RoutingError(ValueError):
    """The rules file is malformed; the message says where."""


@dataclass(frozen=True)
class Rule:
    channel: str
    services: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    mention_group: str | None = None

    def matches(self, incident: IncidentSnapshot) -> bool:
        return (
            (not self.services or (incident.service or "") in self.services)
            and (not self.teams or (incident.team or "") in self.teams)
            and (not self.severities or incident.severity in self.severities)
        )


@dataclass(frozen=True)
class Route:
    channel: str
    mention: str | None  # a Slack mention token such as <!subteam^S123>, or None


@dataclass(frozen=True)
class RoutingRules:
    default_channel: str
    rules: tuple[Rule, ...] = ()
    mention_group: str | None = None
    mention_severities: frozenset[str] = frozenset(DEFAULT_MENTION_SEVERITIES)
    # channel -> allowed user ids (U...) and user group ids (S...); a channel absent here is open to all.
    allow: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def route(self, incident: IncidentSnapshot) -> Route:
        for rule in self.rules:
            if rule.matches(incident):
                return Route(rule.channel, self._mention(incident, rule.mention_group))
        return Route(self.default_channel, self._mention(incident, None))

    def _mention(self, incident: IncidentSnapshot, override: str | None) -> str | None:
        group = override or self.mention_group
        if group is None or incident.severity not in self.mention_severities:
            return None
        return mention_token(group)

    def allowed_principals(self, channel: str) -> frozenset[str] | None:
        """Who may act on buttons in `channel`: None means everyone in the channel."""
        return self.allow.get(channel)


def mention_token(group: str) -> str:
    """Slack mention syntax: user groups `<!subteam^S..>`, `here`/`channel` as `<!here>`."""
    if group in ("here", "channel", "everyone"):
        return f"<!{group}>"
    if group.startswith("S"):
        return f"<!subteam^{group}>"
    return f"<@{group}>"


def is_allowed(principals: frozenset[str] | None, user_id: str, user_groups: frozenset[str]) -> bool:
    """A user may act if the channel is open, they are listed, or a listed group contains them."""
    if principals is None:
        return True
    return user_id in principals or bool(principals & user_groups)


def parse_rules(raw: Mapping[str, Any] | None, default_channel: str) -> RoutingRules:
    """Build rules from the YAML document; every mistake names its place in the file."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise RoutingError("routing rules: the document must be a mapping")
    mention = raw.get("mention") or {}
    severities = _strings(mention.get("severities", list(DEFAULT_MENTION_SEVERITIES)), "mention.severities")
    _check_severities(severities, "mention.severities")
    rules = []
    for i, item in enumerate(raw.get("rules") or []):
        where = f"rules[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("channel"), str) or not item["channel"]:
            raise RoutingError(f"{where}: needs a non-empty 'channel'")
        match = item.get("match") or {}
        if not isinstance(match, Mapping) or set(match) - {"service", "team", "severity"}:
            raise RoutingError(f"{where}.match: only service, team and severity may be matched")
        rule_sev = _strings(match.get("severity", []), f"{where}.match.severity")
        _check_severities(rule_sev, f"{where}.match.severity")
        rules.append(
            Rule(
                channel=item["channel"],
                services=frozenset(_strings(match.get("service", []), f"{where}.match.service")),
                teams=frozenset(_strings(match.get("team", []), f"{where}.match.team")),
                severities=frozenset(rule_sev),
                mention_group=item.get("mention_group"),
            )
        )
    allow = {}
    for channel, spec in (raw.get("channels") or {}).items():
        if not isinstance(spec, Mapping) or "allow" not in spec:
            raise RoutingError(f"channels.{channel}: needs an 'allow' list")
        allow[str(channel)] = frozenset(_strings(spec["allow"], f"channels.{channel}.allow"))
    return RoutingRules(
        default_channel=str(raw.get("default_channel") or default_channel),
        rules=tuple(rules),
        mention_group=mention.get("group"),
        mention_severities=frozenset(severities),
        allow=allow,
    )


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RoutingError(f"{where}: expected a string or a list of strings")
    return value


def _check_severities(values: list[str], where: str) -> None:
    unknown = sorted(set(values) - set(SEVERITIES))
    if unknown:
        raise RoutingError(f"{where}: unknown severities {unknown}; use {list(SEVERITIES)}")
