"""Operator tooling: `emctl` and the generators of docs that must never drift from code."""
