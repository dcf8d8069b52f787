"""The metrics bounded context inside ingest-svc: DORA, flow and quality rollups (issue #5).

It has its own JetStream consumer and its own PostgreSQL schema (`metrics`), and touches ingest's
tables never: ingest-svc only hosts it, next to the canonical event history it reads.
"""
