-- agent-svc: conversations and their messages, the tool audit log, model usage, the answer cache.
CREATE TABLE IF NOT EXISTS service_info (
    key text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO service_info (key, value) VALUES ('service', 'agent') ON CONFLICT DO NOTHING;

CREATE TABLE agent_conversations (
    id text PRIMARY KEY,
    caller text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- What follow-ups resolve against: the topic question, its entities and agents.
    topic text,
    entities jsonb NOT NULL DEFAULT '{}',
    agents text[] NOT NULL DEFAULT '{}',
    -- Summary of messages up to summarised_upto (older ones leave the model's context).
    summary text,
    summarised_upto bigint NOT NULL DEFAULT 0
);
CREATE INDEX agent_conversations_caller ON agent_conversations (caller, updated_at DESC);

CREATE TABLE agent_messages (
    id bigserial PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES agent_conversations (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant')),
    content text NOT NULL,
    agents text[] NOT NULL DEFAULT '{}',
    tools jsonb NOT NULL DEFAULT '[]',
    citations jsonb NOT NULL DEFAULT '[]',
    cached boolean NOT NULL DEFAULT false,
    degraded boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_messages_conversation ON agent_messages (conversation_id, id);

CREATE TABLE tool_audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    caller text NOT NULL,
    session_id text NOT NULL,
    agent text NOT NULL,
    tool text NOT NULL,
    args_digest text NOT NULL,
    outcome text NOT NULL,
    latency_ms double precision NOT NULL,
    error text
);
CREATE INDEX tool_audit_session ON tool_audit (session_id, id);

CREATE TABLE llm_calls (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    provider text NOT NULL,
    model text NOT NULL,
    purpose text NOT NULL,
    session_id text,
    input_tokens integer NOT NULL,
    output_tokens integer NOT NULL,
    cost_usd double precision NOT NULL,
    latency_ms double precision NOT NULL,
    outcome text NOT NULL,
    error text
);
CREATE INDEX llm_calls_session ON llm_calls (session_id, id);

-- Answers reused for identical questions over unchanged data: an entry is valid only while the
-- data epoch it was made in is current (incident and metrics events bump the epoch).
CREATE TABLE data_epoch (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    epoch bigint NOT NULL
);
INSERT INTO data_epoch (epoch) VALUES (0);

CREATE TABLE answer_cache (
    key text PRIMARY KEY,
    epoch bigint NOT NULL,
    answer jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
