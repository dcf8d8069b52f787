-- The intake updates an incident (counts) and an alert (state) for nearly every signal. Free room in
-- each page lets PostgreSQL keep those as HOT updates (no new index entries while no indexed column
-- changes), which is most of the write cost on the hot path. Applies to pages written from now on.
ALTER TABLE incidents SET (fillfactor = 70);
ALTER TABLE alerts SET (fillfactor = 80);
