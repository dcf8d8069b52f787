"""The table of webhook sources: how each one authenticates, what it sends, who normalizes it.

Adding a vendor is one row here plus a verification scheme and a normalizer module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import Any

from ingest_svc.domain.catalog import Catalog
from ingest_svc.domain.model import Delivery, Emitted, NormalizationError
from ingest_svc.domain.normalizers import (
    alertmanager,
    argocd,
    circleci,
    cloudwatch,
    codecov,
    datadog,
    ecs,
    github,
    gitlab,
    heroku,
    jenkins,
    jira,
    kubernetes,
    linear,
    newrelic,
    pagerduty,
    sentry,
    shortcut,
    sonarqube,
)
from ingest_svc.domain.verification import circleci as v_circleci
from ingest_svc.domain.verification import codecov as v_codecov
from ingest_svc.domain.verification import github as v_github
from ingest_svc.domain.verification import gitlab as v_gitlab
from ingest_svc.domain.verification import heroku as v_heroku
from ingest_svc.domain.verification import jira as v_jira
from ingest_svc.domain.verification import linear as v_linear
from ingest_svc.domain.verification import pagerduty as v_pagerduty
from ingest_svc.domain.verification import sentry as v_sentry
from ingest_svc.domain.verification import shortcut as v_shortcut
from ingest_svc.domain.verification import sonarqube as v_sonarqube
from ingest_svc.domain.verification import token as v_token

JSON = ("application/json",)
# SNS posts JSON as text/plain; EventBridge API destinations post application/json.
AWS = ("application/json", "text/plain")
# GitHub and GitLab can be configured to post `payload=<json>` form bodies.
FORM = ("application/json", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Source:
    name: str
    scheme: ModuleType
    normalizer: ModuleType
    content_types: tuple[str, ...] = JSON
    # SNS envelopes are verified with AWS's certificate instead of `scheme`.
    sns: bool = False
    timestamped: bool = False

    @cached_property  # asked on every delivery
    def header_keyed(self) -> bool:
        """Event type and dedup key come from headers alone (no need to decode the body to accept)."""
        return bool(getattr(self.normalizer, "HEADER_KEYED", False))

    @cached_property
    def payload_type(self) -> type | None:
        """The msgspec type naming the fields the normalizer reads, when it declares one."""
        return getattr(self.normalizer, "PAYLOAD_TYPE", None)

    @cached_property
    def decodes_in_relay(self) -> bool:
        """Accept only validates the body; the relay decodes it. For sources whose event type and dedup
        key come from headers and whose payload would be decoded in full (no `payload_type`, which makes
        the decode as cheap as validating, so it is done once at accept and handed over)."""
        return self.header_keyed and self.payload_type is None

    def event_type(self, headers: dict[str, str], payload: Any) -> str:
        return str(self.normalizer.event_type(headers, payload))

    def handles(self, event_type: str) -> bool:
        return event_type in self.normalizer.HANDLED

    def dedup_key(self, headers: dict[str, str], payload: Any) -> str | None:
        key = self.normalizer.dedup_key(headers, payload)
        return str(key)[:300] if key else None

    def normalize(self, delivery: Delivery, catalog: Catalog) -> list[Emitted]:
        """Run the vendor's pure normalizer; any non-typed failure is reported as a typed one.

        The normalizers read JSON through typed getters, so this guard is for the unforeseen: a
        relay must mark the delivery failed and carry on, never crash on one payload.
        """
        try:
            return list(self.normalizer.normalize(delivery, catalog))
        except NormalizationError:
            raise
        except Exception as exc:
            raise NormalizationError(f"{type(exc).__name__}: {exc}") from exc


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("github", v_github, github, FORM),
        Source("gitlab", v_gitlab, gitlab, FORM),
        Source("jira", v_jira, jira),
        Source("linear", v_linear, linear, timestamped=True),
        Source("shortcut", v_shortcut, shortcut),
        Source("pagerduty", v_pagerduty, pagerduty),
        Source("sentry", v_sentry, sentry, timestamped=True),
        Source("datadog", v_token, datadog),
        Source("newrelic", v_token, newrelic),
        Source("alertmanager", v_token, alertmanager),
        Source("cloudwatch", v_token, cloudwatch, AWS, sns=True),
        Source("circleci", v_circleci, circleci),
        Source("jenkins", v_token, jenkins),
        Source("argocd", v_token, argocd),
        Source("kubernetes", v_token, kubernetes),
        Source("ecs", v_token, ecs, AWS, sns=True),
        Source("heroku", v_heroku, heroku),
        Source("codecov", v_codecov, codecov),
        Source("sonarqube", v_sonarqube, sonarqube),
    )
}
