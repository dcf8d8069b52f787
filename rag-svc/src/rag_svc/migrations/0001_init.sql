-- rag-svc schema. The runner sets search_path to this service's schema.
-- Vectors are stored as float4[] so the exact path works on any PostgreSQL; where pgvector exists,
-- the service adds an HNSW index over `embedding::vector(dim)` at startup (see repository/vectors.py),
-- because whether the extension exists, and the model's dimension, are only known at run time.
CREATE TABLE IF NOT EXISTS service_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO service_info (key, value) VALUES ('service', 'rag') ON CONFLICT DO NOTHING;

CREATE TABLE documents (
    id text PRIMARY KEY,
    title text,
    kind text NOT NULL,
    service text,
    team text,
    tags text[] NOT NULL DEFAULT '{}',
    url text,
    source text NOT NULL,              -- api | dir | incident: who owns the document's lifecycle
    content_hash text NOT NULL,        -- unchanged hash on re-ingest: nothing to do
    chunk_count integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_source ON documents (source);

-- Filter columns are copied from the document so a search never needs a join to filter.
CREATE TABLE chunks (
    id text PRIMARY KEY,               -- <document id>#<ordinal>
    document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    heading_path text[] NOT NULL,
    text text NOT NULL,
    kind text NOT NULL,
    service text,
    team text,
    tags text[] NOT NULL DEFAULT '{}',
    embed_hash text NOT NULL,          -- sha256 of what the model read: lets a re-ingest reuse vectors
    embedding real[] NOT NULL,
    embedding_dim integer NOT NULL,
    embedding_model text NOT NULL,     -- model id + version: a different current model re-embeds the chunk
    tsv tsvector NOT NULL,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_model ON chunks (embedding_model);
CREATE INDEX chunks_service ON chunks (service);
CREATE INDEX chunks_team ON chunks (team);
CREATE INDEX chunks_kind ON chunks (kind);
CREATE INDEX chunks_tags ON chunks USING gin (tags);

-- Bumped by every write; the exact (no pgvector) path reloads its in-memory matrix when it moves.
CREATE TABLE index_state (
    id integer PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL
);
INSERT INTO index_state (id, generation) VALUES (1, 0);
