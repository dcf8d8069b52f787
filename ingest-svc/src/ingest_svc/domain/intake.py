"""Accept-time decisions that need no I/O: content type, body decoding, dedup key, ignored or not."""

from __future__ import annotations

import functools
import hashlib
from typing import Any
from urllib.parse import parse_qs

import msgspec

from ingest_svc.domain.sources import Source

# Headers whose value is (or contains) a credential: stored as "[redacted]".
_SECRET_HEADERS = ("authorization", "x-gitlab-token", "x-webhook-token", "cookie", "proxy-authorization")
_SECRET_WORDS = ("secret", "token", "password", "api-key", "apikey")


class BadContentType(Exception):
    pass


class BadBody(Exception):
    pass


class Intake(msgspec.Struct, frozen=True):
    payload: Any
    event_type: str
    dedup_key: str
    handled: bool


def media_type(content_type: str | None) -> str:
    return (content_type or "application/json").split(";", 1)[0].strip().lower()


def decode(source: Source, content_type: str | None, body: bytes) -> Any:
    kind = media_type(content_type)
    if kind not in source.content_types and not kind.endswith("+json"):
        raise BadContentType(f"{source.name} sends {', '.join(source.content_types)}, not {kind}")
    if kind == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode(), strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadBody(f"malformed form body: {exc}") from exc
        if "payload" not in form:
            raise BadBody("form body has no payload field")
        body = form["payload"][0].encode()
    try:
        document = _decode_projected(source.payload_type, body) if source.payload_type else None
        if document is None:
            document = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # msgspec reports bad UTF-8 as the latter
        raise BadBody(f"malformed JSON: {exc}") from exc
    # JSON may escape NUL (\u0000); no PostgreSQL text column downstream can hold it, so an alert
    # title carrying one would fail in every consumer. The raw body keeps it; events get U+FFFD.
    # (A single-byte search is a memchr: most bodies have no escape at all, and the full search costs
    # ~8 us on a 24 KB GitHub payload.)
    return _without_nul(document) if b"\\" in body and b"\\u0000" in body else document


def _decode_projected(payload_type: type, body: bytes) -> Any:
    """Only the fields the normalizer reads, as plain dicts and lists; None when the payload's shape
    does not fit the type (the caller decodes it in full). Malformed JSON raises as a full decode would."""
    try:
        document = _projector(payload_type).decode(body)
    except msgspec.ValidationError:
        return None
    _check_utf8(body)
    return msgspec.to_builtins(document)


def _check_utf8(body: bytes) -> None:
    """msgspec skips the strings it does not build (Raw, or fields a type leaves out) without checking
    their encoding: bad UTF-8 must fail here as it fails a full decode (UnicodeDecodeError)."""
    if not body.isascii():
        body.decode("utf-8")


@functools.cache
def _projector(payload_type: type) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(payload_type)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {_storable(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def validate(source: Source, content_type: str | None, body: bytes) -> None:
    """Reject what `decode` would reject, without building the document (for header-keyed sources).

    Decoding into `msgspec.Raw` still parses every byte (malformed JSON fails the same way) but
    allocates no Python objects: a 30 KB GitHub payload costs a fifth of a full decode.
    """
    kind = media_type(content_type)
    if kind == "application/x-www-form-urlencoded" or (
        kind not in source.content_types and not kind.endswith("+json")
    ):
        decode(source, content_type, body)  # the form wrapper, or the content-type error
        return
    try:
        msgspec.json.decode(body, type=msgspec.Raw)
        _check_utf8(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise BadBody(f"malformed JSON: {exc}") from exc


def examine(source: Source, headers: dict[str, str], payload: Any, body: bytes) -> Intake:
    event_type = source.event_type(headers, payload)
    key = source.dedup_key(headers, payload) or "sha256:" + hashlib.sha256(body).hexdigest()
    return Intake(payload, _storable(event_type), _storable(key), source.handles(event_type))


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL; one such value would fail the whole group commit it joins.
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def redact(headers: dict[str, str]) -> dict[str, str]:
    return {k: "[redacted]" if _is_secret(k) else _storable(v) for k, v in headers.items()}


@functools.lru_cache(maxsize=1024)
def _is_secret(name: str) -> bool:
    # Header names repeat from one delivery to the next: decide each name once.
    return name in _SECRET_HEADERS or any(w in name for w in _SECRET_WORDS)
