-- Which version of the full-text input (domain/documents.py FULLTEXT_VERSION) built each chunk's tsvector.
-- Rows from before it are version 0: the service rebuilds their tsvector from the stored text at startup
-- (no re-embedding), so a change to how chunks are tokenised reaches every document, not only re-ingested ones.
ALTER TABLE chunks ADD COLUMN tsv_version integer NOT NULL DEFAULT 0;
