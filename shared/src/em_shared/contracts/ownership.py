"""Service/team enrichment shared by canonical events: the catalog's answer to "whose is this?"."""

from __future__ import annotations

import msgspec


class Ownership(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Who owns the thing an event is about; filled from the service catalog by ingest-svc."""

    service: str | None = None
    team: str | None = None
    repository: str | None = None
    organization: str | None = None


class CatalogLookup(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`rpc.catalog.lookup`: whose is this repository / app / monitor / project / label set?

    Any one key is enough; the first match wins in the order listed. The reply is an `Ownership`.
    """

    repository: str | None = None
    app: str | None = None
    monitor: str | None = None
    project: str | None = None
    labels: dict[str, str] = {}
    service: str | None = None
