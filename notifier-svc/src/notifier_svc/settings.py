"""notifier-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class NotifierSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("NOTIFIER_PORT", "HTTP port of notifier-svc.")] = 8004
