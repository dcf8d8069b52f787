"""The service catalog: which service and team own a repository, app, monitor, project or label.

Pure and in memory; the repository persists it, the YAML file seeds it, normalizers only read it.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from em_shared.contracts.ownership import Ownership

KINDS = ("repositories", "apps", "monitors", "projects")


class CatalogService(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """One service: its team and the vendor-side names that belong to it (matched case-insensitively)."""

    name: str
    team: str | None = None
    repositories: list[str] = []
    apps: list[str] = []
    monitors: list[str] = []
    projects: list[str] = []
    # Alert/resource labels that identify the service, e.g. {"service": "checkout"} or {"app": "checkout"}.
    labels: dict[str, str] = {}


class CatalogFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    services: list[CatalogService] = []


class Catalog:
    """Lookups by kind and name; first match wins in the order repository, app, monitor, project, labels."""

    def __init__(self, services: Iterable[CatalogService] = ()) -> None:
        self.services = {s.name: s for s in services}
        self._index: dict[tuple[str, str], CatalogService] = {}
        self._labels: list[tuple[str, str, CatalogService]] = []
        for svc in self.services.values():
            for kind in KINDS:
                for key in getattr(svc, kind):
                    self._index[(kind, key.lower())] = svc
            self._labels.extend((k, v, svc) for k, v in svc.labels.items())

    def find(
        self,
        *,
        repository: str | None = None,
        app: str | None = None,
        monitor: str | None = None,
        project: str | None = None,
        labels: dict[str, str] | None = None,
        service: str | None = None,
    ) -> CatalogService | None:
        for kind, key in (
            ("repositories", repository),
            ("apps", app),
            ("monitors", monitor),
            ("projects", project),
        ):
            if key and (hit := self._index.get((kind, key.lower()))):
                return hit
        for k, v, svc in self._labels:
            if labels and labels.get(k) == v:
                return svc
        if service and service in self.services:
            return self.services[service]
        return None

    def repository_of(self, service: str | None) -> str | None:
        """The service's repository when the catalog lists exactly one: deploy tools that name no
        repository (Kubernetes, ECS, Heroku) still deploy one, and its pushes give the lead time."""
        svc = self.services.get(service) if service else None
        return svc.repositories[0] if svc is not None and len(svc.repositories) == 1 else None

    def owner(
        self, *, repository: str | None = None, organization: str | None = None, **keys: object
    ) -> Ownership:
        """Ownership for an event: the catalog's service and team, plus what the vendor told us."""
        hit = self.find(repository=repository, **keys)  # type: ignore[arg-type]
        fallback = keys.get("service")
        return Ownership(
            service=hit.name if hit else (fallback if isinstance(fallback, str) else None),
            team=hit.team if hit else None,
            repository=repository,
            organization=organization,
        )


def parse_catalog_yaml(text: str) -> list[CatalogService]:
    """The YAML file's `services:` list, validated strictly (a typo in a key is an error, not a no-op)."""
    import yaml

    raw = yaml.safe_load(text) or {}
    return msgspec.convert(raw, CatalogFile).services
