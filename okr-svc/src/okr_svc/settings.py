"""okr-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class OkrSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("OKR_PORT", "HTTP port of okr-svc.")] = 8002
