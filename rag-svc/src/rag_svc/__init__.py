"""EM Agent rag-svc."""

__version__ = "0.1.0"
