"""Webhook credentials: `EM_WEBHOOK_SECRET_<SOURCE>[_<INSTANCE>]` (comma-separated for rotation) and
an optional secrets file. Values never leave this object except to a verification scheme."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

PREFIX = "EM_WEBHOOK_SECRET_"


class SecretStore:
    """Secrets by (source, instance); an instance falls back to its source's default secrets."""

    def __init__(
        self, secrets: Mapping[str, list[str]] | None = None, insecure: list[str] | None = None
    ) -> None:
        self._secrets = {k.lower(): [s for s in v if s] for k, v in (secrets or {}).items()}
        self.insecure = frozenset(s.lower() for s in insecure or [])

    def __repr__(self) -> str:  # never print values
        return f"SecretStore(keys={sorted(self._secrets)}, insecure={sorted(self.insecure)})"

    def for_source(self, source: str, instance: str) -> list[str]:
        if instance != "default" and (hit := self._secrets.get(f"{source}/{instance}".lower())):
            return hit
        return self._secrets.get(source.lower(), [])

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str],
        secrets_file: str = "",
        insecure: list[str] | None = None,
        sources: tuple[str, ...] = (),
    ) -> SecretStore:
        found: dict[str, list[str]] = {}
        if secrets_file:
            found.update(_read_file(Path(secrets_file)))
        # Longest source names first, so `EM_WEBHOOK_SECRET_GITHUB_ACME` is github/acme, not a source.
        names = sorted(sources, key=len, reverse=True)
        for var, value in environ.items():
            if not var.startswith(PREFIX):
                continue
            rest = var[len(PREFIX) :].lower()
            for source in names:
                if rest == source:
                    found[source] = _split(value)
                elif rest.startswith(source + "_"):
                    found[f"{source}/{rest[len(source) + 1 :]}"] = _split(value)
        return cls(found, insecure)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _read_file(path: Path) -> dict[str, list[str]]:
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml

        raw = yaml.safe_load(text) or {}
    else:
        raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of source[/instance] to secret(s)")
    return {
        str(k).lower(): (_split(v) if isinstance(v, str) else [str(x) for x in v]) for k, v in raw.items()
    }


def from_environment(secrets_file: str, insecure: list[str], sources: tuple[str, ...]) -> SecretStore:
    return SecretStore.load(os.environ, secrets_file, insecure, sources)
