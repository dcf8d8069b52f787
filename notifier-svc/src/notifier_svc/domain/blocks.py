"""Block Kit builders for every message kind: incident card, thread line, DM, slash-command answers.

Pure functions of contract data, so snapshot tests pin the exact payloads, and every text is clipped
to Slack's limits (domain/limits.py) so a long title or summary can never get a message rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from em_shared.contracts.incidents import IncidentChanged, IncidentSnapshot

from notifier_svc.domain.limits import (
    MAX_BUTTON_VALUE,
    MAX_FIELD_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    MAX_TEXT_OBJECT,
    clip,
)
from notifier_svc.domain.routing import SEV_NAMES

ACK_ACTION = "incident_acknowledge"
RESOLVE_ACTION = "incident_resolve"
VIEW_ACTION = "incident_view"
ACTIONS_BLOCK = "incident_actions"

STATE_EMOJI = {
    "triggered": ":rotating_light:",
    "acknowledged": ":eyes:",
    "mitigated": ":adhesive_bandage:",
    "resolved": ":white_check_mark:",
    "closed": ":lock:",
}
CHANGE_LINES = {
    "opened": ":rotating_light: Opened",
    "acknowledged": ":eyes: Acknowledged",
    "mitigated": ":adhesive_bandage: Mitigated",
    "resolved": ":white_check_mark: Resolved",
    "closed": ":lock: Closed",
    "reopened": ":repeat: Reopened",
    "severity_changed": ":arrow_up_down: Severity changed",
    "merged": ":twisted_rightwards_arrows: Merged",
    "updated": ":pencil2: Updated",
}
MAX_SOURCE_LINKS = 5


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage / chat.update take: fallback `text` (notifications) and `blocks`."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def incident_message(
    incident: IncidentSnapshot,
    view_url: str,
    mention: str | None = None,
    last_change: IncidentChanged | None = None,
) -> SlackMessage:
    """The one message that stays the current picture of an incident (posted, then updated in place)."""
    sev = severity_label(incident.severity)
    emoji = STATE_EMOJI.get(incident.state, ":grey_question:")
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": _plain(clip(f"{emoji} {sev} · #{incident.number} {incident.title}", MAX_HEADER_TEXT)),
        },
    ]
    if mention:
        blocks.append(_section(f"{mention} {sev} incident needs attention."))
    blocks.append(
        {"type": "section", "fields": [_mrkdwn(clip(t, MAX_FIELD_TEXT)) for t in _fields(incident)]}
    )
    if incident.summary:
        blocks.append(_section(clip(incident.summary, MAX_SECTION_TEXT)))
    if incident.suspected_deployment_id:
        blocks.append(
            _section(clip(f"*Suspected deployment:* `{incident.suspected_deployment_id}`", MAX_SECTION_TEXT))
        )
    if incident.source_links:
        blocks.append({"type": "context", "elements": [_mrkdwn(_links(incident.source_links))]})
    blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK, "elements": _buttons(incident, view_url)})
    if last_change is not None and last_change.change != "opened":
        who = f" by {actor_mention(last_change.actor)}" if last_change.actor else ""
        blocks.append(
            {
                "type": "context",
                "elements": [
                    _mrkdwn(
                        clip(
                            f"Last change: {last_change.change.replace('_', ' ')}{who}"
                            f" · {_date(last_change.occurred_at)}",
                            MAX_TEXT_OBJECT,
                        )
                    )
                ],
            }
        )
    prefix = f"{mention} " if mention else ""
    text = clip(
        f"{prefix}{sev} incident #{incident.number} [{incident.state}]: {incident.title}", MAX_MESSAGE_TEXT
    )
    return SlackMessage(text=text, blocks=blocks)


def thread_line(event: IncidentChanged) -> str:
    """The short line added in the incident message's thread for each later change."""
    head = CHANGE_LINES.get(
        event.change, f":information_source: {event.change.replace('_', ' ').capitalize()}"
    )
    parts = [head]
    if event.actor:
        parts.append(f"by {actor_mention(event.actor)}")
    if event.via:
        parts.append(f"via {event.via}")
    line = " ".join(parts)
    if event.change == "severity_changed":
        line += f": now {severity_label(event.incident.severity)}"
    elif event.previous_state and event.previous_state != event.incident.state:
        line += f" ({event.previous_state} → {event.incident.state})"
    note = event.details.get("note") if isinstance(event.details, dict) else None
    if isinstance(note, str) and note:
        line += f"\n> {note}"
    return clip(line, MAX_SECTION_TEXT)


def direct_message(text: str, blocks: list[dict[str, Any]] | None = None) -> SlackMessage:
    """A DM: the caller's blocks as given, or the text as one section."""
    text = clip(text, MAX_MESSAGE_TEXT)
    return SlackMessage(
        text=text, blocks=list(blocks) if blocks else [_section(clip(text, MAX_SECTION_TEXT))]
    )


def incident_summary(incident: IncidentSnapshot, view_url: str) -> SlackMessage:
    """Answer to `/em incident <id>`: the card without buttons that act (ephemeral, for one user)."""
    sev = severity_label(incident.severity)
    emoji = STATE_EMOJI.get(incident.state, ":grey_question:")
    blocks: list[dict[str, Any]] = [
        _section(clip(f"{emoji} *{sev} · #{incident.number} {incident.title}*", MAX_SECTION_TEXT)),
        {"type": "section", "fields": [_mrkdwn(clip(t, MAX_FIELD_TEXT)) for t in _fields(incident)]},
    ]
    if incident.summary:
        blocks.append(_section(clip(incident.summary, MAX_SECTION_TEXT)))
    blocks.append(
        {"type": "context", "elements": [_mrkdwn(clip(f"<{view_url}|View incident>", MAX_TEXT_OBJECT))]}
    )
    return SlackMessage(
        text=f"{sev} incident #{incident.number} [{incident.state}]: {incident.title}"[:3000], blocks=blocks
    )


HELP_TEXT = (
    "*EM Agent commands*\n"
    "• `/em incident <id or number>`: the incident's current summary\n"
    "• `/em help`: this help"
)


def help_message(prefix: str | None = None) -> SlackMessage:
    text = f"{prefix}\n{HELP_TEXT}" if prefix else HELP_TEXT
    return SlackMessage(text=text, blocks=[_section(clip(text, MAX_SECTION_TEXT))])


def refusal_message(action: str) -> str:
    return f":no_entry: You are not on this channel's allow-list, so you cannot {action} this incident."


def severity_label(severity: str) -> str:
    return f"{SEV_NAMES.get(severity, severity.upper())} ({severity})"


def actor_mention(actor: str) -> str:
    """`slack:U123` (set by our buttons) renders as a Slack mention; other actors stay as text."""
    return f"<@{actor.removeprefix('slack:')}>" if actor.startswith("slack:") else actor


def _fields(incident: IncidentSnapshot) -> list[str]:
    fields = [
        f"*State:*\n{incident.state}",
        f"*Severity:*\n{severity_label(incident.severity)}",
        f"*Service:*\n{incident.service or '—'}",
        f"*Team:*\n{incident.team or '—'}",
        f"*Started:*\n{_date(incident.opened_at)}",
    ]
    if incident.environment:
        fields.append(f"*Environment:*\n{incident.environment}")
    if incident.assignee:
        fields.append(f"*Assignee:*\n{actor_mention(incident.assignee)}")
    if incident.alert_count:
        fields.append(f"*Alerts:*\n{incident.alert_count}")
    return fields


def _buttons(incident: IncidentSnapshot, view_url: str) -> list[dict[str, Any]]:
    value = clip(incident.id, MAX_BUTTON_VALUE)
    buttons: list[dict[str, Any]] = []
    if incident.state == "triggered":
        buttons.append(
            {
                "type": "button",
                "action_id": ACK_ACTION,
                "text": _plain("Acknowledge"),
                "style": "primary",
                "value": value,
            }
        )
    if incident.state not in ("resolved", "closed"):
        buttons.append(
            {
                "type": "button",
                "action_id": RESOLVE_ACTION,
                "text": _plain("Resolve"),
                "style": "danger",
                "value": value,
                "confirm": {
                    "title": _plain("Resolve this incident?"),
                    "text": _plain(clip(f"#{incident.number} {incident.title}", 300)),
                    "confirm": _plain("Resolve"),
                    "deny": _plain("Cancel"),
                },
            }
        )
    buttons.append(
        {"type": "button", "action_id": VIEW_ACTION, "text": _plain("View"), "url": view_url, "value": value}
    )
    return buttons


def _links(links: list[str]) -> str:
    shown = [f"<{link}|source {i + 1}>" for i, link in enumerate(links[:MAX_SOURCE_LINKS])]
    extra = f" and {len(links) - MAX_SOURCE_LINKS} more" if len(links) > MAX_SOURCE_LINKS else ""
    return clip("Sources: " + " · ".join(shown) + extra, MAX_TEXT_OBJECT)


def _date(at: datetime) -> str:
    """Slack renders this in each reader's time zone; the fallback after `|` is UTC ISO."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{at.isoformat()}>"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}
