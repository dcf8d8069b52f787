"""EM Agent ingest-svc."""

__version__ = "0.1.0"
