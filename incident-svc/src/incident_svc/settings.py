"""incident-svc settings: the shared ones plus this service's own (see docs/configuration.md)."""

from typing import Annotated

from em_shared.runtime.settings import CommonSettings, env


class IncidentSettings(CommonSettings, frozen=True, kw_only=True):
    port: Annotated[int, env("INCIDENT_PORT", "HTTP port of incident-svc.")] = 8001
    group_by: Annotated[
        str,
        env(
            "INCIDENT_GROUP_BY",
            "Default grouping fields (Alertmanager's group_by): comma-separated "
            "of service, alert_name, environment, team, vendor, external_id, label:<name>.",
        ),
    ] = "service,alert_name"
    group_by_source: Annotated[
        str, env("INCIDENT_GROUP_BY_SOURCE", "Per-source grouping overrides, `vendor=f1,f2;vendor2=f1`.")
    ] = ""
    group_by_service: Annotated[
        str,
        env(
            "INCIDENT_GROUP_BY_SERVICE",
            "Per-service grouping overrides, `service=f1,f2;...` (beats the per-source one).",
        ),
    ] = ""
    identity_fields: Annotated[
        str,
        env(
            "INCIDENT_IDENTITY_FIELDS",
            "Fields hashed into an alert's identity when the vendor gave "
            "no external id (never volatile ones); `labels` = every non-volatile label.",
        ),
    ] = "alert_name,service,environment,labels"
    reopen_window_s: Annotated[
        float,
        env(
            "INCIDENT_REOPEN_WINDOW_S",
            "A re-fire within this many seconds of resolution reopens "
            "the resolved incident instead of opening a new one.",
        ),
    ] = 3600.0
    group_interval_s: Annotated[
        float,
        env(
            "INCIDENT_GROUP_INTERVAL_S",
            "At most one `updated` event per incident per interval for "
            "alerts attaching to it (Alertmanager's group_interval).",
        ),
    ] = 30.0
    suspect_window_s: Annotated[
        float,
        env(
            "INCIDENT_SUSPECT_WINDOW_S",
            "A deployment of the same service finished at most this "
            "many seconds before an incident opened is attached as the suspected change.",
        ),
    ] = 7200.0
    auto_resolve_to: Annotated[
        str,
        env(
            "INCIDENT_AUTO_RESOLVE_TO",
            "State an incident moves to when all its alerts recovered: resolved, mitigated, or none.",
        ),
    ] = "resolved"
    severity_map: Annotated[
        str,
        env(
            "INCIDENT_SEVERITY_MAP",
            "YAML file mapping vendor severities to critical/high/medium/low; "
            "empty = the built-in map (incident_svc/severity.yaml).",
        ),
    ] = ""
    relay_interval_s: Annotated[
        float,
        env(
            "INCIDENT_RELAY_INTERVAL_S",
            "How often the outbox relay republishes leftover lifecycle "
            "events and flushes coalesced `updated` events.",
        ),
    ] = 1.0
    public_url: Annotated[
        str, env("INCIDENT_PUBLIC_URL", "Base URL of the incident UI/API, used for links in events.")
    ] = "http://127.0.0.1:8001"
    alert_durable: Annotated[
        str,
        env(
            "INCIDENT_ALERT_DURABLE",
            "Durable consumer name of the alert intake; instances sharing it "
            "split the work, instances with different names each see every signal (safe: PostgreSQL dedups).",
        ),
    ] = "incident-alerts"
    consumer_batch: Annotated[
        int,
        env(
            "INCIDENT_CONSUMER_BATCH",
            "Most alert signals pulled at once, and most one lane applies in one transaction "
            "(a lone signal is not held back to fill a batch). Smaller chunks commit sooner "
            "(lower latency); larger ones share a commit among more signals.",
        ),
    ] = 32
    consumer_max_ack_pending: Annotated[
        int,
        env(
            "INCIDENT_CONSUMER_MAX_ACK_PENDING",
            "JetStream max_ack_pending of the alert consumer (at least the batch size).",
        ),
    ] = 1024
    intake_lanes: Annotated[
        int,
        env(
            "INCIDENT_INTAKE_LANES",
            "Lanes applying alert signals in parallel (a grouping key always goes to the same lane); "
            "each holds one database connection while it commits a chunk. Keep DB_POOL_MAX above it.",
        ),
    ] = 4
