"""EM Agent okr-svc."""

__version__ = "0.1.0"
