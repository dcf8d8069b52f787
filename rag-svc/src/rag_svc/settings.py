"""rag-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class RagSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("RAG_PORT", "HTTP port of rag-svc.")] = 8005
