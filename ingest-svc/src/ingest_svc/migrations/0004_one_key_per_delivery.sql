-- A delivery's id is deterministic_id("delivery", source, instance, dedup_key): the primary key
-- already makes the transport key unique (two keys sharing an id would need a collision of 122 bits
-- of SHA-256). The second unique index on (source, instance, dedup_key), up to 300 characters of
-- text per row, only cost PostgreSQL CPU (~3.5 us per stored delivery, measured in bulk) and disk.
-- The group insert now resolves conflicts on the primary key.
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_transport_key;
