"""ingest-svc settings: the shared ones, the metrics module's, and this service's own.

Webhook secrets are not fields: their names depend on the sources and instances in use, so they
come from `EM_WEBHOOK_SECRET_<SOURCE>[_<INSTANCE>]` variables or the secrets file (see secrets.py).
"""

from typing import Annotated

from em_shared.runtime.settings import env

from ingest_svc.metrics.settings import MetricsSettings


class IngestSettings(MetricsSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("INGEST_PORT", "HTTP port of ingest-svc.")] = 8000
    webhook_secrets_file: Annotated[
        str,
        env(
            "EM_WEBHOOK_SECRETS_FILE",
            "YAML/JSON file mapping `source` or `source/instance` to a secret "
            "or a list of secrets (rotation); merged with EM_WEBHOOK_SECRET_*.",
        ),
    ] = ""
    webhook_insecure_sources: Annotated[
        list[str],
        env(
            "EM_WEBHOOK_INSECURE_SOURCES",
            "Sources accepted WITHOUT authentication (local dev only), comma-separated.",
        ),
    ] = []
    webhook_replay_window_s: Annotated[
        float,
        env("EM_WEBHOOK_REPLAY_WINDOW_S", "Timestamped schemes reject deliveries older or newer than this."),
    ] = 300.0
    webhook_max_body_bytes: Annotated[
        int, env("EM_WEBHOOK_MAX_BODY_BYTES", "Largest accepted webhook body (413 above).")
    ] = 1024 * 1024
    webhook_max_body_overrides: Annotated[
        list[str],
        env("EM_WEBHOOK_MAX_BODY_OVERRIDES", "Per-source body limits, e.g. `github=4194304,jira=2097152`."),
    ] = []
    service_catalog: Annotated[
        str,
        env("EM_SERVICE_CATALOG", "YAML service catalog seeding the catalog table at startup (optional)."),
    ] = ""
    accept_queue_max: Annotated[
        int,
        env("EM_INGEST_ACCEPT_QUEUE_MAX", "Deliveries waiting for a group commit before 503 + Retry-After."),
    ] = 2000
    group_commit_max: Annotated[
        int,
        env("EM_INGEST_GROUP_COMMIT_MAX", "Most deliveries stored in one transaction (1 disables batching)."),
    ] = 128
    group_commit_writers: Annotated[
        int,
        env(
            "EM_INGEST_GROUP_COMMIT_WRITERS",
            "Concurrent group commits (each keeps one connection). One makes the largest batches and "
            "the least CPU per delivery; raise it when commits are slow (remote or busy database).",
        ),
    ] = 1
    store_timeout_s: Annotated[
        float,
        env("EM_INGEST_STORE_TIMEOUT_S", "Longest a request waits for its delivery to commit before 503."),
    ] = 5.0
    relay_batch: Annotated[int, env("EM_INGEST_RELAY_BATCH", "Outbox rows one relay pass claims.")] = 200
    relay_linger_s: Annotated[
        float,
        env(
            "EM_INGEST_RELAY_LINGER_S",
            "Wait after a wake-up (and between passes under a batch) so one relay pass carries concurrent commits (0: none).",
        ),
    ] = 0.05
    relay_poll_s: Annotated[
        float,
        env(
            "EM_INGEST_RELAY_POLL_S",
            "Interval of the relay's outbox scan (other processes' rows, restarts, retries); local commits are handed over in memory.",
        ),
    ] = 1.0
    sns_auto_confirm: Annotated[
        bool,
        env("EM_INGEST_SNS_AUTO_CONFIRM", "Visit SubscribeURL of verified SNS subscription confirmations."),
    ] = True
