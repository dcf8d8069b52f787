"""The incident state machine: which action may move an incident from which state, and why not.

triggered -> acknowledged -> mitigated -> resolved -> closed, with reopen from resolved or closed.
Skipping forward is allowed (resolve straight from triggered); going back is only `reopen`.
"""

from __future__ import annotations

from dataclasses import dataclass

TRIGGERED, ACKNOWLEDGED, MITIGATED, RESOLVED, CLOSED = (
    "triggered",
    "acknowledged",
    "mitigated",
    "resolved",
    "closed",
)
STATES = (TRIGGERED, ACKNOWLEDGED, MITIGATED, RESOLVED, CLOSED)
OPEN_STATES = (TRIGGERED, ACKNOWLEDGED, MITIGATED)

# action -> (states it may start from, the state it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": ((TRIGGERED,), ACKNOWLEDGED),
    "mitigate": ((TRIGGERED, ACKNOWLEDGED), MITIGATED),
    "resolve": ((TRIGGERED, ACKNOWLEDGED, MITIGATED), RESOLVED),
    "close": ((RESOLVED,), CLOSED),
    "reopen": ((RESOLVED, CLOSED), TRIGGERED),
}
# The lifecycle event each action publishes (incident.incident.<change>).
CHANGE_OF_ACTION = {
    "acknowledge": "acknowledged",
    "mitigate": "mitigated",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "reopened",
}
# PATCH {"state": X} names the target; this is the action that reaches it.
ACTION_FOR_TARGET = {
    ACKNOWLEDGED: "acknowledge",
    MITIGATED: "mitigate",
    RESOLVED: "resolve",
    CLOSED: "close",
    TRIGGERED: "reopen",
}


class IllegalTransition(Exception):
    """The action is not allowed from the current state; the message says why (a 409)."""


@dataclass(frozen=True)
class Transition:
    action: str
    from_state: str
    to_state: str
    change: str


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def transition(state: str, action: str, *, merged_into: str | None = None) -> Transition:
    """Validate `action` from `state`; raise IllegalTransition with a human reason otherwise."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if merged_into is not None:
        raise IllegalTransition(f"incident was merged into {merged_into}; act on that incident instead")
    sources, target = ACTIONS[action]
    if state == target:
        raise IllegalTransition(f"incident is already {state}")
    if state not in sources:
        allowed = ", ".join(sources)
        raise IllegalTransition(f"cannot {action} an incident that is {state} (allowed from: {allowed})")
    return Transition(action, state, target, CHANGE_OF_ACTION[action])


def target_action(current: str, target: str) -> str:
    """The action that moves `current` to `target` (PATCH state=...)."""
    if target == current:
        raise IllegalTransition(f"incident is already {current}")
    action = ACTION_FOR_TARGET.get(target)
    if action is None:
        raise ValueError(f"unknown state {target!r}")
    return action


def timestamp_column(state: str) -> str | None:
    """The incident column stamped when a state is entered."""
    return {
        ACKNOWLEDGED: "acknowledged_at",
        MITIGATED: "mitigated_at",
        RESOLVED: "resolved_at",
        CLOSED: "closed_at",
    }.get(state)
