"""EM Agent notifier-svc."""

__version__ = "0.1.0"
