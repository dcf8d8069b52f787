"""All SQL of incident-svc, in its own schema. Functions take a connection so callers own transactions."""

OPEN_STATES_SQL = "('triggered', 'acknowledged', 'mitigated')"
