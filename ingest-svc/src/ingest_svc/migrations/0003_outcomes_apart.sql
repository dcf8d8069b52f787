-- Stored deliveries become insert-only; what became of each lives in its own narrow table.
--
-- Marking a delivery published used to UPDATE its (wide) row. `status` was indexed, so every such
-- update wrote a new tuple and an entry in each of the table's four indexes: about 17 us of
-- PostgreSQL CPU per delivery, against under 2 us for inserting a narrow outcome row (measured in
-- bulk on this project's machine; docs/performance.md, "Ingest"). It also means the raw delivery
-- log is never rewritten after it is acknowledged.
--
-- A delivery's status is now coalesce(outcome, accepted status): `deliveries.status` keeps what the
-- accept path decided (pending | ignored; rows from before this migration may still say published
-- or failed, which the outcome copied below overrides), `delivery_outcomes` what the relay did
-- (published | failed). A replay deletes the outcome and queues the delivery again.
CREATE TABLE delivery_outcomes (
    delivery_id uuid PRIMARY KEY,
    status text NOT NULL,
    event_count integer NOT NULL DEFAULT 0,
    error text,
    processed_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO delivery_outcomes (delivery_id, status, event_count, error, processed_at)
SELECT id, status, coalesce(event_count, 0), error, coalesce(processed_at, received_at)
FROM deliveries
WHERE status IN ('published', 'failed');

ALTER TABLE deliveries DROP COLUMN error, DROP COLUMN event_count, DROP COLUMN processed_at;

-- Replay selects by source and time (status is resolved per row through the outcome).
DROP INDEX IF EXISTS deliveries_by_source_status;
CREATE INDEX deliveries_by_source_received ON deliveries (source, received_at);

-- Operators and tests read one row per delivery with its current status from this view.
CREATE VIEW delivery_states AS
SELECT d.id, d.source, d.instance, d.dedup_key, d.event_type, d.received_at, d.content_type, d.headers,
       d.verification, coalesce(o.status, d.status) AS status, o.error, o.event_count, o.processed_at
FROM deliveries d
LEFT JOIN delivery_outcomes o ON o.delivery_id = d.id;
