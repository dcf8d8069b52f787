"""GitHub payloads are decoded into only the fields the normalizer reads (github_payload.py).

That is an optimization and must never change an event: every GitHub fixture, and the fixtures with
any subtree replaced by arbitrary JSON (shapes the projection's types refuse fall back to a full
decode), normalize to exactly the same events - or the same failure - either way.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.intake import BadBody, decode
from ingest_svc.domain.model import Delivery, NormalizationError
from ingest_svc.domain.normalizers import github
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import fixture_samples

GITHUB = SOURCES["github"]
SAMPLES = {s.path.name: s for s in fixture_samples() if s.source == "github"}
CATALOG = Catalog()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.just("2024-06-10T15:00:00Z"),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _events(payload: Any, event_type: str) -> list[bytes] | str:
    delivery = Delivery(
        id="d",
        source="github",
        instance="default",
        event_type=event_type,
        payload=payload,
        received_at=datetime(2024, 1, 1, tzinfo=UTC),
        headers={},
    )
    try:
        return [msgspec.json.encode(e.event) for e in github.normalize(delivery, CATALOG)]
    except NormalizationError as exc:
        return f"failed: {exc}"


def _both_ways(body: bytes, event_type: str) -> tuple[Any, Any]:
    projected = decode(GITHUB, "application/json", body)
    full = msgspec.json.decode(body)
    return _events(projected, event_type), _events(full, event_type)


def test_the_projection_is_used_and_smaller() -> None:
    sample = SAMPLES["pull_request.opened.json"]
    projected = decode(GITHUB, "application/json", sample.body)
    full = json.loads(sample.body)
    assert "sender" in full and "sender" not in projected
    assert "repo" in full["pull_request"]["head"] and projected["pull_request"]["head"].keys() == {
        "ref",
        "sha",
    }
    assert len(msgspec.json.encode(projected)) < len(sample.body) / 5


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_github_fixture_normalizes_the_same(name: str) -> None:
    sample = SAMPLES[name]
    projected, full = _both_ways(sample.body, sample.headers["X-GitHub-Event"])
    assert projected == full
    assert isinstance(full, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SAMPLES)), data=st.data(), value=json_values)
def test_mutated_github_payloads_normalize_the_same(name: str, data: st.DataObject, value: Any) -> None:
    sample = SAMPLES[name]
    payload = json.loads(sample.body)
    paths: list[tuple[Any, ...]] = []

    def walk(obj: Any, prefix: tuple[Any, ...]) -> None:
        paths.append(prefix)
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, (*prefix, k))
        elif isinstance(obj, list):
            for i, v in enumerate(obj[:2]):
                walk(v, (*prefix, i))

    walk(payload, ())
    path = data.draw(st.sampled_from(paths[1:]))
    clone = copy.deepcopy(payload)
    node = clone
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    projected, full = _both_ways(json.dumps(clone).encode(), sample.headers["X-GitHub-Event"])
    assert projected == full


def test_bad_bodies_are_refused_as_before() -> None:
    for body in (b'{"action": "opened", ', b'{"action": "\xff\xfe"}', b'{"sender": {"login": "\xff"}}'):
        with pytest.raises(BadBody):
            decode(GITHUB, "application/json", body)
    assert decode(GITHUB, "application/json", b"[1, 2]") == [1, 2]  # not an object: decoded in full
    assert decode(GITHUB, "application/json", b'{"pull_request": "x"}') == {"pull_request": "x"}
