"""Use cases of incident-svc: alert intake, deployment intake, and the commands of the API and NATS."""
