"""Sub-agents: their definitions, and the loop that runs one (model <-> allowed tools)."""
