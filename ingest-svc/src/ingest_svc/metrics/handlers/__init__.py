"""Use cases of the metrics module: fold events into facts and outcomes, roll up, answer queries."""
