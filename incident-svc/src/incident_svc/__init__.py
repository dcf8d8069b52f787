"""EM Agent incident-svc."""

__version__ = "0.1.0"
