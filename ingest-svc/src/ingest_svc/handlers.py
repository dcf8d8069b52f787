"""Use cases: accept a webhook (authenticate, store durably, answer), replay, catalog lookups."""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg
import msgspec
from em_shared.contracts.base import deterministic_id, utcnow
from em_shared.contracts.deliveries import ReplayRequest, ReplayResult
from em_shared.contracts.ownership import CatalogLookup, Ownership
from em_shared.messaging.errors import InvalidInput, NotFound, ServiceError, Unauthorized

from ingest_svc import repository
from ingest_svc.catalog_cache import CatalogCache
from ingest_svc.committer import GroupCommitter
from ingest_svc.domain.intake import BadBody, BadContentType, decode, examine, media_type, redact, validate
from ingest_svc.domain.sources import SOURCES, Source
from ingest_svc.domain.verification import sns
from ingest_svc.domain.verification.base import SignatureRejected, SignedRequest, Verified
from ingest_svc.repository import NewDelivery
from ingest_svc.secrets import SecretStore
from ingest_svc.sns_certs import SnsVerifier


class PayloadTooLarge(ServiceError):
    code, status = "too_large", 413


class UnsupportedMediaType(ServiceError):
    code, status = "unsupported_media_type", 415


class Accepted(msgspec.Struct, frozen=True):
    delivery_id: str
    status: str  # accepted | ignored
    duplicate: bool
    event_type: str


@dataclass
class IntakeLimits:
    max_body: int
    per_source: dict[str, int]
    replay_window_s: float
    store_timeout_s: float

    def body_limit(self, source: str) -> int:
        return self.per_source.get(source, self.max_body)


class WebhookIntake:
    """`POST /webhooks/{source}[/{instance}]`: 2xx only once the delivery is committed."""

    def __init__(
        self, secrets: SecretStore, committer: GroupCommitter, sns_verifier: SnsVerifier, limits: IntakeLimits
    ) -> None:
        self._secrets = secrets
        self._committer = committer
        self._sns = sns_verifier
        self._limits = limits

    def source(self, name: str) -> tuple[Source, int]:
        """The vendor named in the path and its body limit, known before a byte of the body is read."""
        source = SOURCES.get(name)
        if source is None:
            raise NotFound(f"unknown webhook source {name!r}", {"sources": sorted(SOURCES)})
        return source, self._limits.body_limit(source.name)

    async def accept(self, source: Source, instance: str, headers: dict[str, str], body: bytes) -> Accepted:
        """`body` is within the source's limit: the endpoint read it with the limit `source()` gave."""
        content_type = headers.get("content-type")
        kind = media_type(content_type)
        if kind not in source.content_types and not kind.endswith("+json"):
            raise UnsupportedMediaType(f"{source.name} sends {', '.join(source.content_types)}, not {kind}")
        payload = None
        if source.sns:
            payload = self._decode(source, content_type, body)  # SNS signs fields of the JSON, not bytes
        verified = await self._verify(source, instance, headers, body, payload)
        if payload is None:
            if source.decodes_in_relay:
                self._validate(source, content_type, body)  # the relay decodes it; here only check it
            else:
                payload = self._decode(source, content_type, body)
        intake = examine(source, headers, payload, body)
        stored = redact(headers)
        row = NewDelivery(
            id=deterministic_id("delivery", source.name, instance, intake.dedup_key),
            source=source.name,
            instance=instance,
            dedup_key=intake.dedup_key,
            event_type=intake.event_type[:200],
            received_at=utcnow(),
            content_type=stored.get("content-type"),
            headers=stored,
            body=body,
            verification=verified.describe(),
            status="pending" if intake.handled else "ignored",
            payload=payload,
        )
        new = await self._committer.store(row, self._limits.store_timeout_s)
        return Accepted(
            delivery_id=row.id,
            status="accepted" if intake.handled else "ignored",
            duplicate=not new,
            event_type=intake.event_type,
        )

    @staticmethod
    def _validate(source: Source, content_type: str | None, body: bytes) -> None:
        try:
            validate(source, content_type, body)
        except BadContentType as exc:
            raise UnsupportedMediaType(str(exc)) from exc
        except BadBody as exc:
            raise InvalidInput(str(exc)) from exc

    @staticmethod
    def _decode(source: Source, content_type: str | None, body: bytes) -> object:
        try:
            return decode(source, content_type, body)
        except BadContentType as exc:
            raise UnsupportedMediaType(str(exc)) from exc
        except BadBody as exc:
            raise InvalidInput(str(exc)) from exc

    async def _verify(
        self, source: Source, instance: str, headers: dict[str, str], body: bytes, payload: object
    ) -> Verified:
        secrets = self._secrets.for_source(source.name, instance)
        if not secrets:
            if source.name in self._secrets.insecure:
                return Verified("insecure")
            raise Unauthorized(
                f"no credential configured for {source.name}/{instance}; set "
                f"EM_WEBHOOK_SECRET_{source.name.upper()} (or list it in EM_WEBHOOK_INSECURE_SOURCES "
                "for local development)"
            )
        try:
            if source.sns and sns.is_sns(headers, payload):
                topics = [s for s in secrets if s.startswith("arn:aws:sns:")]
                return await self._sns.verify(payload, topics)
            tokens = [s for s in secrets if not s.startswith("arn:aws:sns:")] if source.sns else secrets
            return source.scheme.verify(
                SignedRequest(body, headers),
                tokens,
                time.time(),  # type: ignore[no-any-return]
                self._limits.replay_window_s,
            )
        except SignatureRejected as exc:
            raise Unauthorized(f"{source.name}: {exc.reason}") from exc


class Replays:
    def __init__(self, pool: asyncpg.Pool, wake: object) -> None:
        self._pool = pool
        self._wake = wake

    async def replay(self, request: ReplayRequest) -> ReplayResult:
        if request.source is not None and request.source not in SOURCES:
            raise InvalidInput(f"unknown source {request.source!r}")
        if request.status is not None and request.status not in ("pending", "published", "ignored", "failed"):
            raise InvalidInput("status is one of pending, published, ignored, failed")
        queued = await repository.requeue(
            self._pool, request.source, request.status, request.since, request.until, request.limit
        )
        self._wake()  # type: ignore[operator]
        return ReplayResult(queued=queued)


class CatalogLookups:
    def __init__(self, cache: CatalogCache) -> None:
        self._cache = cache

    async def lookup(self, q: CatalogLookup) -> Ownership:
        catalog = await self._cache.current()
        return catalog.owner(
            repository=q.repository,
            app=q.app,
            monitor=q.monitor,
            project=q.project,
            labels=q.labels or None,
            service=q.service,
        )


def parse_overrides(values: list[str]) -> dict[str, int]:
    out = {}
    for item in values:
        name, _, size = item.partition("=")
        if not size.isdigit():
            raise ValueError(f"EM_WEBHOOK_MAX_BODY_OVERRIDES: {item!r} is not source=bytes")
        out[name.strip()] = int(size)
    return out
