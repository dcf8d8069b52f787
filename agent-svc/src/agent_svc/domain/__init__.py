"""Pure logic of agent-svc: routing, entities, follow-ups, fencing, limits, offline composition."""
