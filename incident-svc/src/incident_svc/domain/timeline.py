"""The typed kinds of timeline entries; the timeline table accepts inserts only."""

OPENED = "opened"
ALERT_ATTACHED = "alert_attached"
ALERT_RECOVERED = "alert_recovered"
ALERT_REFIRED = "alert_refired"
STATE_CHANGED = "state_changed"
SEVERITY_CHANGED = "severity_changed"
NOTE_ADDED = "note_added"
SUSPECTED_DEPLOYMENT = "suspected_deployment"
DEPLOYMENT_LINKED = "deployment_linked"
MERGED = "merged"
UPDATED = "updated"

KINDS = (
    OPENED,
    ALERT_ATTACHED,
    ALERT_RECOVERED,
    ALERT_REFIRED,
    STATE_CHANGED,
    SEVERITY_CHANGED,
    NOTE_ADDED,
    SUSPECTED_DEPLOYMENT,
    DEPLOYMENT_LINKED,
    MERGED,
    UPDATED,
)
VIAS = ("api", "slack", "auto", "agent")
