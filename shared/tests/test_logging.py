"""Log output as an operator reads it: JSON lines, secrets redacted, known-harmless noise demoted."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from em_shared.runtime.logging import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging():  # type: ignore[no-untyped-def]
    """configure_logging points every handler at this test's captured stdout, which pytest closes
    afterwards: put the process's logging back as it was for the tests that follow."""
    root = logging.getLogger()
    fs = logging.getLogger("faststream")
    saved = (root.handlers[:], root.level, fs.handlers[:], fs.propagate, fs.level, structlog.get_config())
    yield
    root.handlers[:], fs.handlers[:] = saved[0], saved[2]
    root.setLevel(saved[1])
    fs.propagate, fs.level = saved[3], saved[4]
    structlog.configure(**saved[5])
    structlog.contextvars.clear_contextvars()


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_restarted_pull_loop_after_a_fetch_timeout_is_one_warning_without_traceback(capsys) -> None:
    configure_logging("info", "json", service="test")
    try:
        raise TimeoutError  # what nats-py's fetch raises at its deadline
    except TimeoutError as exc:
        logging.getLogger("faststream.ingest").error("Task-7 raised an exception, retrying...", exc_info=exc)
    [line] = _lines(capsys)
    assert line["level"] == "warning"
    assert "pull loop restarted" in line["event"]
    assert "exception" not in line and "Traceback" not in json.dumps(line)


def test_other_errors_keep_their_level_and_traceback(capsys) -> None:
    configure_logging("info", "json", service="test")
    try:
        raise ValueError("broken handler")
    except ValueError as exc:
        logging.getLogger("faststream.ingest").error("Task-8 raised an exception, retrying...", exc_info=exc)
    [line] = _lines(capsys)
    assert line["level"] == "error"
    assert "ValueError: broken handler" in line["exception"]


def test_secrets_never_reach_a_log_line(capsys) -> None:
    configure_logging("info", "json", service="test")
    logging.getLogger("em.test").info("configured", extra={"webhook_secret": "s3cr3t"})
    structlog.get_logger("em.test").info("calling", api_key="sk-live-123", authorization="Bearer x")
    out = json.dumps(_lines(capsys))
    assert "sk-live-123" not in out and "Bearer x" not in out
