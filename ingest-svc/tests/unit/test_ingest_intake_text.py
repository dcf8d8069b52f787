"""Text PostgreSQL cannot store never reaches canonical events: a NUL escaped in a vendor's JSON
would otherwise fail every consumer that writes the alert title, and the alert would dead-letter."""

from __future__ import annotations

import json

from ingest_svc.domain.intake import decode
from ingest_svc.domain.sources import SOURCES


def test_nul_escapes_become_replacement_characters_in_keys_and_nested_values() -> None:
    body = json.dumps(
        {"title": "disk\u0000full", "labels": [{"k\u0000": "v\u0000"}], "n": 3, "ok": True}
    ).encode()
    assert b"\\u0000" in body
    document = decode(SOURCES["alertmanager"], "application/json", body)
    assert document == {"title": "disk\ufffdfull", "labels": [{"k\ufffd": "v\ufffd"}], "n": 3, "ok": True}


def test_a_body_without_nul_decodes_unchanged() -> None:
    payload = {"title": "backslash \\u0000 written out", "nested": {"x": [1, 2.5, None]}}
    assert decode(SOURCES["alertmanager"], "application/json", json.dumps(payload).encode()) == payload
