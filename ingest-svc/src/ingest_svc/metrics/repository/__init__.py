"""All SQL of the metrics module, in its own schema (`metrics`): facts, derived outcomes, rollups."""
