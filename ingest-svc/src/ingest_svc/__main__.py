"""Entry point: `python -m ingest_svc`. Settings are parsed here, nowhere at import time."""

from em_shared.runtime.host import run
from em_shared.runtime.logging import configure_logging
from em_shared.runtime.settings import load_settings

from ingest_svc.app import create_service
from ingest_svc.settings import IngestSettings


def main() -> None:
    settings = load_settings(IngestSettings)
    configure_logging(settings.log_level, settings.log_format, service="ingest-svc")
    run(create_service(settings), settings, port=settings.port)


if __name__ == "__main__":
    main()
