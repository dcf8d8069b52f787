"""Every `rpc.*` subject of the subject table, served by the real service, answers bad input with a
typed error the caller can show: malformed JSON, wrong types, unknown and missing fields are an
`invalid` 400; well-typed values that are hostile (NUL and control characters, non-ASCII digits,
huge numbers, dates at the ends of the calendar) get a result or a 4xx, never `internal`.

The probes are derived from each subject's request type, so a new subject or field is covered
without editing this test.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from em_shared.contracts.base import RpcReply
from em_shared.contracts.subjects import RPCS, SERVICES, RpcSubject
from em_shared.runtime.settings import load_settings
from em_shared.testing.live import live_service
from msgspec import inspect as mi

pytestmark = pytest.mark.usefixtures("cleanup_namespace")

MALFORMED = [b"{", b'{"a": }', b"not json", b"\xff\xfe{}", b'{"a": "\\ud800"}', b'{"a": 1}}']
NOT_AN_OBJECT = [b"[]", b'"text"', b"42", b"null", b"true"]
# Well-typed strings PostgreSQL, the NATS protocol or int() may refuse (NUL; whitespace and
# wildcards; digits that are not ASCII): each must be answered, never with a 500.
HOSTILE_STRINGS = ["nul\x00here", "line\r\nPUB x 1\r\nspace tab\t>*", "\u00b2", "\u202e\U0001f525" * 3]
HOSTILE_INTS = [-1, 0, 2**31, 2**63, 10**30]
HOSTILE_TIMES = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"]
# Values tried, in order, when a field needs a value of the wrong type.
OTHER_TYPES: list[Any] = [12345, "text", ["x"], {"k": "v"}, True, 1.5]
SETTINGS = {"agent": {"llm_chain": "offline"}}


def minimal(t: mi.Type) -> Any:
    """The smallest JSON value `t` accepts."""
    if isinstance(t, mi.UnionType):
        return minimal(next(x for x in t.types if not isinstance(x, mi.NoneType)))
    if isinstance(t, mi.StrType):
        return "x" * max(1, t.min_length or 0)
    if isinstance(t, mi.IntType):
        return t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else 1)
    if isinstance(t, mi.FloatType):
        return 1.0
    if isinstance(t, mi.BoolType):
        return True
    if isinstance(t, mi.DateTimeType):
        return "2026-01-01T00:00:00Z"
    if isinstance(t, mi.ListType):
        return [minimal(t.item_type)] * (t.min_length or 0)
    if isinstance(t, mi.DictType | mi.AnyType):
        return {}
    if isinstance(t, mi.StructType):
        return {f.encode_name: minimal(f.type) for f in t.fields if f.required}
    raise NotImplementedError(f"no minimal value for {t}")


def hostile(t: mi.Type) -> Iterator[Any]:
    """Well-typed values of `t` that carry the hostile strings, numbers and times."""
    types = t.types if isinstance(t, mi.UnionType) else (t,)
    for x in types:
        if isinstance(x, mi.StrType):
            yield from HOSTILE_STRINGS
        elif isinstance(x, mi.IntType):
            yield from HOSTILE_INTS
        elif isinstance(x, mi.DateTimeType):
            yield from HOSTILE_TIMES
        elif isinstance(x, mi.ListType):
            yield from ([v] for v in hostile(x.item_type))
        elif isinstance(x, mi.DictType):
            values = list(hostile(x.value_type)) if not isinstance(x.value_type, mi.AnyType) else []
            yield from ({s: "v"} for s in HOSTILE_STRINGS)
            yield from ({"k": v} for v in values or HOSTILE_STRINGS)
        elif isinstance(x, mi.StructType):
            base = minimal(x)
            for f in x.fields:
                yield from ({**base, f.encode_name: v} for v in hostile(f.type))


def rejects(request_type: type, payload: bytes) -> bool:
    try:
        msgspec.json.decode(payload, type=request_type)
    except msgspec.ValidationError:
        return True
    return False


def probes(row: RpcSubject, known: dict[str, Any]) -> Iterator[tuple[str, bytes, bool]]:
    """(label, payload, must be `invalid`) for one subject; `known` values (a real incident's id)
    replace minimal ones, so hostile values get past the lookup to the handler's writes."""
    info = mi.type_info(row.request)
    assert isinstance(info, mi.StructType)
    base = minimal(info) | {f.encode_name: known[f.name] for f in info.fields if f.name in known}
    encode = msgspec.json.encode
    assert not rejects(row.request, encode(base)), f"{row.subject}: minimal payload {base} is refused"
    for raw in MALFORMED + NOT_AN_OBJECT:
        yield f"payload {raw!r}", raw, True
    yield "unknown field", encode({**base, "no_such_field": 1}), True
    if base:
        yield "no fields", b"{}", True
    for f in info.fields:
        wrong = next(v for v in OTHER_TYPES if rejects(row.request, encode({**base, f.encode_name: v})))
        yield f"{f.encode_name}={wrong!r}", encode({**base, f.encode_name: wrong}), True
        for value in hostile(f.type):
            payload = encode({**base, f.encode_name: value})
            yield f"{f.encode_name}={value!r}", payload, rejects(row.request, payload)


def _service(name: str, servers: Any, namespace: str) -> tuple[Any, Any]:
    app = importlib.import_module(f"{name}_svc.app")
    settings_cls = getattr(importlib.import_module(f"{name}_svc.settings"), f"{name.capitalize()}Settings")
    settings = load_settings(
        settings_cls,
        {},
        nats_url=servers.nats_url,
        database_url=servers.database_url,
        namespace=namespace,
        **SETTINGS.get(name, {}),
    )
    return app.create_service(settings), settings


@pytest.mark.parametrize("service", SERVICES)
async def test_every_rpc_subject_answers_bad_input_with_a_typed_client_error(
    service, servers, namespace, nc, topology
) -> None:
    rows = [r for r in RPCS if r.owner == service]
    assert rows, f"{service} answers at least rpc.{service}.ping"
    defn, settings = _service(service, servers, namespace)
    failures: list[str] = []
    sent = 0
    async with live_service(defn, settings):
        known: dict[str, Any] = {}
        if service == "incident":  # a real row for the commands that act on one
            created = await nc.request(
                topology.subject("rpc.incident.create"), b'{"title": "probe", "actor": "probe"}', timeout=15
            )
            known["id"] = msgspec.json.decode(created.data)["result"]["id"]
        for row in rows:
            for label, payload, must_be_invalid in probes(row, known):
                msg = await nc.request(topology.subject(row.subject), payload, timeout=15)
                sent += 1
                reply = msgspec.json.decode(msg.data, type=RpcReply)
                error = reply.error
                if must_be_invalid and (error is None or (error.code, error.status) != ("invalid", 400)):
                    failures.append(f"{row.subject} {label}: want invalid/400, got {reply}")
                elif error is not None and not (400 <= error.status < 500 and error.message):
                    failures.append(f"{row.subject} {label}: want a result or a 4xx, got {error}")
    assert not failures, f"{len(failures)} of {sent} probes:\n" + "\n".join(failures)
    assert sent >= len(rows) * (len(MALFORMED) + len(NOT_AN_OBJECT) + 1)  # every subject was probed
