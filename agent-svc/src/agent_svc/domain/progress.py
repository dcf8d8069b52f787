"""Which subjects a sub-agent may publish tool progress to: this deployment's `agent.progress.*`.

The subject arrives in the request of `rpc.agent.<name>.run`; unchecked, a caller could make the
agent publish into any subject (a stream's, another service's), or hand the NATS client one with
whitespace or wildcards, which it refuses mid-run (a 500 where the request was at fault).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def progress_subject_problem(subject: str, prefix: str) -> str | None:
    """Why `subject` is not a progress subject under `prefix` (None: it is one)."""
    if not subject.startswith(f"{prefix}."):
        return f"progress_subject must be a subject under {prefix}."
    if not all(_TOKEN.fullmatch(token) for token in subject[len(prefix) + 1 :].split(".")):
        return "progress_subject tokens after the prefix are letters, digits, '_' and '-'"
    return None
