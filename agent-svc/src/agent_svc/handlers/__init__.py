"""Use cases: the coordinator (route, run sub-agents, synthesise), chat sessions, sub-agent runs."""
