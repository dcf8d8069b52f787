"""`deterministic_id` is formatted by hand for speed; it must stay the RFC 4122 v5-shaped UUID it was."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from em_shared.contracts.base import deterministic_id


def _reference(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


@pytest.mark.parametrize(
    "parts",
    [
        ("delivery", "github", "default", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("alert", 12, 3.5, None, True),
        ("ünïcödé", "\u0000", ""),
        (),
    ],
)
def test_equals_the_uuid_module_and_is_a_version_5_uuid(parts: tuple[object, ...]) -> None:
    value = deterministic_id(*parts)
    assert value == _reference(*parts)
    parsed = uuid.UUID(value)
    assert parsed.version == 5 and parsed.variant == uuid.RFC_4122


def test_many_random_keys_agree_with_the_reference() -> None:
    for i in range(2000):
        key = hashlib.md5(str(i).encode()).hexdigest()
        assert deterministic_id("k", key, i) == _reference("k", key, i)
