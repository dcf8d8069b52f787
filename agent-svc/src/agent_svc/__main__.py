"""Entry point: `python -m agent_svc`. Settings are parsed here, nowhere at import time."""

import msgspec
from em_shared.runtime.host import run
from em_shared.runtime.logging import configure_logging, get_logger
from em_shared.runtime.settings import load_settings

from agent_svc.app import create_service
from agent_svc.auth import development_key
from agent_svc.settings import AgentSettings


def main() -> None:
    settings = load_settings(AgentSettings)
    configure_logging(settings.log_level, settings.log_format, service="agent-svc")
    if not settings.api_keys.strip():
        # No keys configured: a development key for this run, printed once so a newcomer can chat.
        key = development_key()
        settings = msgspec.structs.replace(settings, api_keys=f"{key}:chat+admin")
        print(
            f"agent-svc: EM_API_KEYS is unset; development key for this run (chat+admin): {key}", flush=True
        )
        get_logger("agent").warning("EM_API_KEYS unset; generated a development key (printed on stdout)")
    run(create_service(settings), settings, port=settings.port)


if __name__ == "__main__":
    main()
