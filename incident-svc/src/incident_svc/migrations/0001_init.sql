-- incident-svc schema. The runner sets search_path to this service's schema.
-- Invariants live here, not only in code: one alert per (vendor, external_id), one open incident per
-- grouping key, an append-only timeline.

CREATE TABLE incidents (
    id uuid PRIMARY KEY,
    number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    title text NOT NULL,
    state text NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'mitigated', 'resolved', 'closed')),
    severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    -- Set by the AI triage later; never overwrites the reported severity above.
    assessed_severity text CHECK (assessed_severity IN ('critical', 'high', 'medium', 'low')),
    service text,
    team text,
    environment text,
    group_key text,
    summary text,
    assignee text,
    opened_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    mitigated_at timestamptz,
    resolved_at timestamptz,
    closed_at timestamptz,
    merged_into uuid REFERENCES incidents (id),
    suspected_deployment_id text,
    sequence integer NOT NULL DEFAULT 0,
    alert_count integer NOT NULL DEFAULT 0,
    firing_count integer NOT NULL DEFAULT 0,
    source_links text[] NOT NULL DEFAULT '{}',
    -- group_interval: alert attachments since the last `updated` event, flushed by the relay.
    update_pending boolean NOT NULL DEFAULT false,
    last_update_event_at timestamptz,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Two consumers racing on one new problem: INSERT ... ON CONFLICT on this index lets exactly one win.
CREATE UNIQUE INDEX incidents_one_open_per_group ON incidents (group_key)
    WHERE state IN ('triggered', 'acknowledged', 'mitigated');
CREATE INDEX incidents_recent_resolved ON incidents (group_key, resolved_at DESC) WHERE state = 'resolved';
CREATE INDEX incidents_by_opened ON incidents (opened_at DESC, number DESC);
CREATE INDEX incidents_by_state ON incidents (state, opened_at DESC, number DESC);
CREATE INDEX incidents_by_service ON incidents (service, opened_at DESC, number DESC);
CREATE INDEX incidents_by_team ON incidents (team, opened_at DESC, number DESC);
CREATE INDEX incidents_by_severity ON incidents (severity, opened_at DESC, number DESC);
CREATE INDEX incidents_update_pending ON incidents (last_update_event_at) WHERE update_pending;

CREATE TABLE alerts (
    id uuid PRIMARY KEY,
    vendor text NOT NULL,
    external_id text NOT NULL,
    fingerprint text NOT NULL,
    incident_id uuid REFERENCES incidents (id),
    status text NOT NULL CHECK (status IN ('firing', 'resolved')),
    title text NOT NULL,
    alert_name text,
    service text,
    environment text,
    severity text NOT NULL,
    reported_severity text,
    group_key text NOT NULL,
    labels jsonb NOT NULL DEFAULT '{}',
    url text,
    vendor_state text,
    started_at timestamptz,
    ended_at timestamptz,
    first_seen_at timestamptz NOT NULL,
    last_event_at timestamptz NOT NULL,
    signal_count integer NOT NULL DEFAULT 1,
    UNIQUE (vendor, external_id)
);
CREATE INDEX alerts_by_incident ON alerts (incident_id, status);

-- Every signal ever received (idempotency by event id; nothing is lost even when it changes nothing).
CREATE TABLE alert_signals (
    event_id text PRIMARY KEY,
    alert_id uuid NOT NULL,  -- no FK: recorded first, as the idempotency gate
    status text NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_signals_by_alert ON alert_signals (alert_id, occurred_at);

CREATE TABLE timeline (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    at timestamptz NOT NULL,
    kind text NOT NULL,
    actor text,
    via text,
    data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, id);

CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the incident timeline is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION timeline_append_only();

-- Deployments seen on deploy.deployment.finished: the candidates for "suspected change".
CREATE TABLE deployments (
    id text PRIMARY KEY,                 -- provider:deployment_key
    provider text NOT NULL,
    deployment_key text NOT NULL,
    service text NOT NULL,
    environment text,
    status text NOT NULL,
    version text,
    sha text,
    url text,
    finished_at timestamptz NOT NULL,
    event_id text NOT NULL
);
CREATE INDEX deployments_by_service ON deployments (service, finished_at DESC);

CREATE TABLE incident_deployments (
    incident_id uuid NOT NULL REFERENCES incidents (id),
    deployment_id text NOT NULL REFERENCES deployments (id),
    relation text NOT NULL CHECK (relation IN ('suspected', 'linked')),
    linked_by text,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, deployment_id)
);

-- Lifecycle events written in the same transaction as the change, published after commit; the
-- relay republishes what a crash left behind (same ids, so JetStream drops a double publish).
CREATE TABLE outbox (
    event_id text PRIMARY KEY,
    subject text NOT NULL,
    payload bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_by_age ON outbox (created_at);
