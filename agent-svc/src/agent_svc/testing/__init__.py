"""Test and benchmark support shipped with agent-svc: a fake LLM provider speaking the real wire protocols."""
