"""Service/team enrichment shared by canonical events: the catalog's answer to "whose is this?"."""

from __future__ import annotations

import msgspec


class Ownership(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Who owns the thing an event is about; filled from the service catalog by ingest-svc."""

    service: str | None = None
    team: str | None = None
    repository: str | None = None
    organization: str | None = None
