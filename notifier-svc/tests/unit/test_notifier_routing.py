"""Routing rules: first match wins, default channel, SEV1/SEV2 mentions, allow-lists, clear errors."""

from __future__ import annotations

import pytest
import yaml
from notifier_svc.domain.routing import RoutingError, is_allowed, mention_token, parse_rules
from notifier_testkit import snapshot

RULES = yaml.safe_load("""
default_channel: "#incidents"
mention: {group: S0ONCALL}
rules:
  - match: {service: [billing, invoices]}
    channel: "#billing"
  - match: {team: platform, severity: critical}
    channel: "#platform-sev1"
    mention_group: S0PLATFORM
channels:
  C0LOCKED: {allow: [U0CAROL, S0ONCALL]}
""")


def test_first_matching_rule_wins_and_default_catches_the_rest():
    rules = parse_rules(RULES, "#fallback")
    assert rules.route(snapshot(service="invoices", severity="low")).channel == "#billing"
    assert (
        rules.route(snapshot(service="api", team="platform", severity="critical")).channel == "#platform-sev1"
    )
    assert rules.route(snapshot(service="api", team="platform", severity="high")).channel == "#incidents"
    assert parse_rules(None, "#fallback").route(snapshot()).channel == "#fallback"


def test_sev1_and_sev2_mention_the_group_lower_severities_do_not():
    rules = parse_rules(RULES, "#x")
    assert rules.route(snapshot(service="api", severity="critical")).mention == "<!subteam^S0ONCALL>"
    assert rules.route(snapshot(service="api", severity="high")).mention == "<!subteam^S0ONCALL>"
    assert rules.route(snapshot(service="api", severity="medium")).mention is None
    assert (
        rules.route(snapshot(service="api", team="platform", severity="critical")).mention
        == "<!subteam^S0PLATFORM>"
    )
    assert parse_rules({}, "#x").route(snapshot(severity="critical")).mention is None


def test_mention_tokens():
    assert mention_token("here") == "<!here>"
    assert mention_token("S123") == "<!subteam^S123>"
    assert mention_token("U123") == "<@U123>"


def test_allow_lists_by_user_or_group_and_open_channels():
    rules = parse_rules(RULES, "#x")
    locked = rules.allowed_principals("C0LOCKED")
    assert rules.allowed_principals("C0OPEN") is None
    assert is_allowed(None, "U0ANY", frozenset())
    assert is_allowed(locked, "U0CAROL", frozenset())
    assert is_allowed(locked, "U0BOB", frozenset({"S0ONCALL"}))
    assert not is_allowed(locked, "U0MALLORY", frozenset({"S0OTHER"}))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"rules": [{"match": {"service": "a"}}]}, "rules[0]: needs a non-empty 'channel'"),
        (
            {"rules": [{"channel": "#a", "match": {"region": "eu"}}]},
            "rules[0].match: only service, team and severity",
        ),
        (
            {"rules": [{"channel": "#a", "match": {"severity": "sev1"}}]},
            "rules[0].match.severity: unknown severities",
        ),
        ({"rules": [{"channel": "#a", "match": {"team": 3}}]}, "rules[0].match.team: expected a string"),
        ({"mention": {"severities": ["urgent"]}}, "mention.severities: unknown severities"),
        ({"channels": {"C1": {"deny": []}}}, "channels.C1: needs an 'allow' list"),
        (["not", "a", "mapping"], "the document must be a mapping"),
    ],
)
def test_malformed_rules_name_their_place(raw, message):
    with pytest.raises(RoutingError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rules(raw, "#x")
