"""Prometheus instruments shared by every service (HTTP comes from Litestar's middleware)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter(
    "em_messages_total",
    "NATS messages handled, by subject and outcome.",
    ["service", "subject", "outcome"],
)
MESSAGE_SECONDS = Histogram(
    "em_message_handle_seconds",
    "Time to handle one NATS message or request.",
    ["service", "subject"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PUBLISHED = Counter("em_events_published_total", "Events published to JetStream.", ["service", "subject"])
