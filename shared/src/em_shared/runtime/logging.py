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
    handler.addFilter(_restarted_fetch_loop)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,  # a stdlib record's traceback as text
                renderer,
            ],
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


def _restarted_fetch_loop(record: logging.LogRecord) -> bool:
    """Turn faststream's traceback for a restarted pull loop after a fetch timeout into one warning.

    faststream's JetStream pull loop suppresses `nats.errors.TimeoutError`, but nats-py's `fetch` can
    also raise the builtin `TimeoutError` when a wait ends at the deadline; faststream's supervisor
    then restarts the loop (no message is lost: nothing was fetched) and logs it at ERROR with a
    traceback, once per process. An operator should not be paged by that, yet still see it happened.
    """
    exc = record.exc_info[1] if record.exc_info else None
    if (
        record.name.startswith("faststream")
        and isinstance(exc, TimeoutError)
        and "retrying" in record.getMessage()
    ):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args, record.exc_info, record.exc_text = (
            "JetStream pull loop restarted after a fetch timeout (faststream supervisor; nothing lost)",
            None,
            None,
            None,
        )
    return True


def _redact_secrets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Never let a secret reach a log line, whatever a caller passed."""
    for key in list(event):
        if any(s in key.lower() for s in SECRET_KEYS):
            event[key] = "[redacted]"
    return event


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
