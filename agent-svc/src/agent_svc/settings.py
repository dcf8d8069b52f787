"""agent-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class AgentSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("AGENT_PORT", "HTTP port of agent-svc.")] = 8003
