"""Configurable classification rules: production environments, hotfixes, reverts, refs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# GitHub/GitLab revert commits say "This reverts commit <sha>."; revert pull requests say
# "Reverts owner/repo#123" in their body.
_REVERT_COMMIT = re.compile(r"This reverts commit (\w+)", re.IGNORECASE)
_REVERT_PR = re.compile(r"Reverts\s+(?:[\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE)


# Names that say "production" without saying which one. Alert labels use them (Prometheus's
# `env="prod"`) where deploy tools name the environment in full (`production`, `prod-eu`): an incident
# tagged with one concerns every production environment of its service.
GENERIC_PRODUCTION = ("prod", "production", "prd", "live")


def incident_concerns(incident_environment: str | None, deployment_environment: str) -> bool:
    """Whether an incident of a service counts against that service's deployments to this (production)
    environment: untagged incidents and generic production names do; otherwise the names must agree,
    ignoring case (`Production` is `production`; `prod-us` is not `prod-eu`)."""
    if incident_environment is None:
        return True
    name = incident_environment.strip().lower()
    return name in GENERIC_PRODUCTION or name == deployment_environment.strip().lower()


def compile_patterns(csv: str) -> tuple[re.Pattern[str], ...]:
    """Comma-separated regexes -> compiled, case-insensitive (a bad one raises at startup)."""
    return tuple(re.compile(p.strip(), re.IGNORECASE) for p in csv.split(",") if p.strip())


@dataclass(frozen=True)
class Rules:
    production: tuple[re.Pattern[str], ...]
    hotfix: tuple[re.Pattern[str], ...]

    @classmethod
    def from_csv(cls, production: str, hotfix: str) -> Rules:
        return cls(compile_patterns(production), compile_patterns(hotfix))

    def is_production(self, environment: str | None) -> bool:
        return bool(environment) and any(p.fullmatch(environment.strip()) for p in self.production)

    def is_hotfix(self, texts: Iterable[str | None]) -> bool:
        return any(t and p.search(t) for t in texts for p in self.hotfix)


def normalize_ref(ref: str | None) -> str | None:
    """`refs/heads/main` and `main` name the same branch."""
    if ref is None:
        return None
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def reverted_shas(message: str | None) -> list[str]:
    return _REVERT_COMMIT.findall(message or "")


def reverted_pr_numbers(body: str | None, title: str | None = None) -> list[int]:
    return [int(n) for n in _REVERT_PR.findall(f"{title or ''}\n{body or ''}")]
