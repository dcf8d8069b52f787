-- notifier-svc schema. The runner sets search_path to this service's schema.
CREATE TABLE IF NOT EXISTS service_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO service_info (key, value) VALUES ('service', 'notifier') ON CONFLICT DO NOTHING;

-- One row per event we must deliver, keyed by the event id: a redelivered event finds its row and
-- never posts twice. Rows are written before the JetStream ack (a durable outbox) and sent by
-- per-channel workers; `pending` rows are resumed at startup.
CREATE TABLE IF NOT EXISTS deliveries (
    event_id text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('incident', 'dm')),
    subject text NOT NULL,
    queue_key text NOT NULL,
    incident_id text,
    payload text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'skipped', 'dead_lettered')),
    attempts integer NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    channel text,
    ts text,
    last_error text,
    failed_method text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (created_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_dead ON deliveries (created_at) WHERE status = 'dead_lettered';

-- The single Slack message of each incident: later changes update it in place and thread under it.
CREATE TABLE IF NOT EXISTS incident_messages (
    incident_id text PRIMARY KEY,
    channel text NOT NULL,
    ts text NOT NULL,
    last_sequence integer NOT NULL,
    posted_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
