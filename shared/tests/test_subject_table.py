"""The one table of subjects and streams is consistent, and the docs generated from it are current."""

import re
from pathlib import Path

from em_shared.contracts.base import Event
from em_shared.contracts.subjects import EVENTS, RPCS, STREAMS, Topology, _matches
from em_shared.ops.docs import generated

EVENT_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
RPC_NAME = re.compile(r"^rpc\.[a-z]+(\.[a-z_]+)+$")
ROOT = Path(__file__).resolve().parents[2]


def test_every_event_subject_reads_domain_entity_past_verb_and_lands_in_its_stream():
    for row in EVENTS:
        assert EVENT_NAME.match(row.subject), row.subject
        assert issubclass(row.payload, Event), row.subject
        owners = [s.name for s in STREAMS if any(_matches(p, row.subject) for p in s.subjects)]
        assert owners == [row.stream], f"{row.subject} captured by {owners}"


def test_rpc_subjects_are_never_captured_by_a_stream():
    # A stream capturing a request subject would answer it with a JetStream ack instead of the service.
    for row in RPCS:
        assert RPC_NAME.match(row.subject), row.subject
        assert not any(_matches(p, row.subject) for s in STREAMS for p in s.subjects), row.subject


def test_subjects_are_unique_and_streams_do_not_overlap():
    assert len({e.subject for e in EVENTS}) == len(EVENTS)
    assert len({r.subject for r in RPCS}) == len(RPCS)
    patterns = [p for s in STREAMS for p in s.subjects]
    assert len(set(patterns)) == len(patterns)


def test_a_namespace_prefixes_subjects_and_streams():
    t = Topology("t1")
    assert t.subject("alert.signal.received") == "t1.alert.signal.received"
    assert t.stream("INGEST") == "t1_INGEST"
    assert t.unqualify("t1.alert.signal.received") == "alert.signal.received"
    assert t.stream_for("incident.incident.opened").name == "INCIDENT"


def test_generated_docs_are_current():
    for rel, text in generated().items():
        path = ROOT / rel
        assert path.exists() and path.read_text() == text, f"{rel} is stale: run `make docs`"
