"""structlog JSON logging with correlation ids carried in contextvars.

A request or a message binds `correlation_id` (and `event_id`, `delivery_id`...) once; every log
line below it carries them, so one id follows a webhook from HTTP to incident to Slack.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

SECRET_KEYS = ("secret", "token", "password", "authorization", "signature", "api_key", "apikey")


def configure_logging(level: str = "info", fmt: str = "json", service: str = "em") -> None:
    """Route stdlib and structlog through one JSON renderer on stdout."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.getLevelName(level.upper()))
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # faststream installs its own coloured stderr handler at import; route it through ours instead.
    import faststream  # noqa: F401  (creates the "faststream" logger we re-route)

    fs_logger = logging.getLogger("faststream")
    fs_logger.handlers[:] = []
    fs_logger.propagate = True
    fs_logger.setLevel(logging.WARNING)
    structlog.contextvars.bind_contextvars(service=service)


def _redact_secrets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Never let a secret reach a log line, whatever a caller passed."""
    for key in list(event):
        if any(s in key.lower() for s in SECRET_KEYS):
            event[key] = "[redacted]"
    return event


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
