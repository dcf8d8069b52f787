"""The case shape: a fixture, a builder that edits a copy of its body, and the expected events.

`E(subject, **fields)` is one expected canonical event; a field's value is compared exactly (times
as instants, lists in order) unless wrapped: `Any_((a, b))` accepts either value, `Has(x, ...)` a list
containing these items, `Len(n)` a list of n items, `NotNone()` any value but None/empty. Derived
fields: `commit_shas`, `commit_times`, `commit_authors` (from `commits`), `arrival_time_used`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "webhooks"
ZERO = "0" * 40


@dataclass(frozen=True)
class Any_:
    options: tuple[Any, ...]


@dataclass(frozen=True)
class Has:
    items: tuple[Any, ...]

    def __init__(self, *items: Any) -> None:
        object.__setattr__(self, "items", items)


@dataclass(frozen=True)
class Len:
    n: int


@dataclass(frozen=True)
class NotNone:
    pass


@dataclass(frozen=True)
class E:
    subject: str
    fields: dict[str, Any]

    def __init__(self, subject: str, **fields: Any) -> None:
        object.__setattr__(self, "subject", subject)
        object.__setattr__(self, "fields", fields)


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    fixture: str  # path under tests/fixtures/webhooks
    why: str  # what the edit does and which vendor doc the expectation follows
    expect: list[E]
    build: Callable[[dict[str, Any]], None] | None = None
    # Subjects (prefixes) that must NOT be emitted; by default every scm./ci. subject not expected.
    exact_prefixes: tuple[str, ...] = ("scm.", "ci.")
    event_header: str | None = None  # overrides the fixture's event header (X-GitHub-Event, ...)
    same_id_as: str | None = None  # the case whose (first expected) event must have the same id
    other_id_than: str | None = None  # ... or a different id
    extra: dict[str, Any] = field(default_factory=dict)

    def delivery(self) -> tuple[dict[str, str], dict[str, Any]]:
        stored = json.loads((FIXTURES / self.fixture).read_text())
        body = copy.deepcopy(stored["body"])
        if self.build is not None:
            self.build(body)
        headers = {k.lower(): str(v) for k, v in stored.get("headers", {}).items()}
        if self.event_header is not None:
            for name in ("x-github-event", "x-gitlab-event", "circleci-event-type"):
                if name in headers:
                    headers[name] = self.event_header
        return headers, body


def put(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b.c` in a nested dict (creating dicts on the way)."""
    *parents, last = path.split(".")
    for key in parents:
        doc = doc.setdefault(key, {})
    doc[last] = value


def drop(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for key in parents:
        doc = doc[key]
    doc.pop(last, None)


def edits(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """A builder from `a__b=value` keyword edits (double underscore = nesting; value DROP removes)."""

    def build(body: dict[str, Any]) -> None:
        for key, value in changes.items():
            path = key.replace("__", ".")
            if value is DROP:
                drop(body, path)
            else:
                put(body, path, copy.deepcopy(value))

    return build


def chain(*builders: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def build(body: dict[str, Any]) -> None:
        for b in builders:
            b(body)

    return build


DROP = object()
