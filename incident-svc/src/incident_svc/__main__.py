"""Entry point: `python -m incident_svc`. Settings are parsed here, nowhere at import time."""

from em_shared.runtime.host import run
from em_shared.runtime.logging import configure_logging
from em_shared.runtime.settings import load_settings

from incident_svc.app import create_service
from incident_svc.settings import IncidentSettings


def main() -> None:
    settings = load_settings(IncidentSettings)
    configure_logging(settings.log_level, settings.log_format, service="incident-svc")
    run(create_service(settings), settings, port=settings.port)


if __name__ == "__main__":
    main()
