-- ingest-svc schema. The runner sets search_path to this service's schema.
CREATE TABLE IF NOT EXISTS service_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO service_info (key, value) VALUES ('service', 'ingest') ON CONFLICT DO NOTHING;

-- Every authenticated delivery, stored before it is acknowledged. The UNIQUE transport key turns a
-- vendor's redelivery into a no-op insert (answered 200 "duplicate").
CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    source text NOT NULL,
    instance text NOT NULL,
    dedup_key text NOT NULL,
    event_type text NOT NULL,
    received_at timestamptz NOT NULL,
    content_type text,
    headers jsonb NOT NULL,
    body bytea NOT NULL,
    verification text NOT NULL,
    -- pending (in the outbox) | published | ignored (unknown event type) | failed (normalizer error)
    status text NOT NULL,
    error text,
    event_count integer,
    processed_at timestamptz,
    CONSTRAINT deliveries_transport_key UNIQUE (source, instance, dedup_key)
);
CREATE INDEX deliveries_by_source_status ON deliveries (source, status, received_at);
CREATE INDEX deliveries_by_received ON deliveries (received_at);

-- Transactional outbox: written in the same transaction as the delivery, drained by the relay.
CREATE TABLE outbox (
    delivery_id uuid PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX outbox_ready ON outbox (available_at);

-- The service catalog (seeded from EM_SERVICE_CATALOG, edited through /v1/catalog).
CREATE TABLE catalog_services (
    name text PRIMARY KEY,
    doc jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
