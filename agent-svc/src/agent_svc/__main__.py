"""Entry point: `python -m agent_svc`. Settings are parsed here, nowhere at import time."""

from em_shared.runtime.host import run
from em_shared.runtime.logging import configure_logging
from em_shared.runtime.settings import load_settings

from agent_svc.app import create_service
from agent_svc.settings import AgentSettings


def main() -> None:
    settings = load_settings(AgentSettings)
    configure_logging(settings.log_level, settings.log_format, service="agent-svc")
    run(create_service(settings), settings, port=settings.port)


if __name__ == "__main__":
    main()
