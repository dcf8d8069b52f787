-- Indexes for the batched fold.
-- A push reaches the repository's production deployments finished after it.
CREATE INDEX deployments_repository_finished ON deployments (repository, finished_at) WHERE production;

-- GIN without a pending list: with fastupdate (the default) new entries wait in an unsorted list that
-- every lookup scans until a vacuum merges it (several ms per `&&` after a bulk load or a busy hour);
-- these arrays are small, so inserting straight into the tree costs little and lookups stay ~0.1 ms.
ALTER INDEX deployments_aliases SET (fastupdate = off);
ALTER INDEX deployments_range SET (fastupdate = off);
ALTER INDEX pull_requests_shas SET (fastupdate = off);
ALTER INDEX incidents_linked SET (fastupdate = off);
SELECT gin_clean_pending_list(i) FROM unnest(ARRAY['deployments_aliases', 'deployments_range',
    'pull_requests_shas', 'incidents_linked']::regclass[]) AS i;
