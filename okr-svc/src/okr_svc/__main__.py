"""Entry point: `python -m okr_svc`. Settings are parsed here, nowhere at import time."""

from em_shared.runtime.host import run
from em_shared.runtime.logging import configure_logging
from em_shared.runtime.settings import load_settings

from okr_svc.app import create_service
from okr_svc.settings import OkrSettings


def main() -> None:
    settings = load_settings(OkrSettings)
    configure_logging(settings.log_level, settings.log_format, service="okr-svc")
    run(create_service(settings), settings, port=settings.port)


if __name__ == "__main__":
    main()
