-- rag-svc schema bootstrap. The runner sets search_path to this service's schema.
CREATE TABLE IF NOT EXISTS service_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO service_info (key, value) VALUES ('service', 'rag') ON CONFLICT DO NOTHING;
