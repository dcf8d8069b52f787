-- Storage layout for the full-text ranking (measured at 10,000 chunks, see docs/rag.md "Hybrid search").
-- A chunk row (~3 KB: a 1.5 KB float4[] vector, the text, the tsvector) is over the 2 KB toast
-- threshold, and the toaster moved whichever columns it liked out of line: ~10% of the tsvectors
-- lived in the toast table, one index descent per row to rank. Ranking reads only `tsv`, the
-- vector is read in bulk (the exact path's matrix) or through the HNSW index: the vector always
-- goes out of line uncompressed (floats do not compress), the tsvector stays in the row.
ALTER TABLE chunks
    ALTER COLUMN embedding SET STORAGE EXTERNAL,
    ALTER COLUMN tsv SET STORAGE MAIN;

-- No GIN pending list: with fastupdate, every search scanned up to 4 MB of not-yet-merged entries
-- (a 10,000-chunk bulk load left the index scan at ~5 ms until a VACUUM). Writes are rare here
-- (document ingests); searches are not.
ALTER INDEX chunks_tsv SET (fastupdate = off);
SELECT gin_clean_pending_list('chunks_tsv'::regclass);
