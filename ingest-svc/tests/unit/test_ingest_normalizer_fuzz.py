"""Fuzz every normalizer (hypothesis): arbitrary JSON, and real fixtures with a subtree replaced, may only
ever produce events or a typed NormalizationError; accept-time reads (event type, dedup key) never fail."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, NormalizationError
from ingest_svc.domain.sources import SOURCES
from ingest_testkit import fixture_samples

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "2024-06-10T15:00:00Z",
            "0001-01-01T00:00:00Z",
            "2016-08-12 15:23:28 UTC",
            "1718035200000",
            "refs/heads/main",
            "completed",
            "success",
            "Deployment",
            "ScalingReplicaSet",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
SAMPLES = {s.path.name: s for s in fixture_samples()}  # type: ignore[union-attr]
CATALOG = Catalog()


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:3]):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _replace(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    clone = copy.deepcopy(obj)
    node = clone
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return clone


def _run(source_name: str, payload: Any, headers: dict[str, str]) -> None:
    source = SOURCES[source_name]
    # Accept-time reads run on authenticated but arbitrary JSON: they must never raise.
    event_type = source.event_type(headers, payload)
    source.dedup_key(headers, payload)
    source.handles(event_type)
    for et in {event_type, *source.normalizer.HANDLED}:
        delivery = Delivery(
            id="d",
            source=source_name,
            instance="default",
            event_type=et,
            payload=payload,
            received_at=datetime(2024, 1, 1, tzinfo=UTC),
            headers=headers,
        )
        try:
            events = source.normalizer.normalize(delivery, CATALOG)  # the raw module: no safety net
        except NormalizationError:
            continue
        for item in events:
            msgspec.json.encode(item.event)  # and every event it makes is publishable


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(sorted(SOURCES)), payload=json_values)
def test_arbitrary_json_never_crashes_a_normalizer(source: str, payload: Any) -> None:
    _run(source, payload, {})


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SAMPLES)), data=st.data(), value=json_values)
def test_mutated_fixtures_never_crash_a_normalizer(name: str, data: st.DataObject, value: Any) -> None:
    sample = SAMPLES[name]
    payload = json.loads(sample.body)
    path = data.draw(st.sampled_from(_paths(payload)))
    headers = {k.lower(): v for k, v in sample.headers.items()}
    _run(sample.source, _replace(payload, path, value), headers)
