-- The metrics schema: facts keyed by natural ids (a duplicate event is a no-op), the derived
-- classification of each production deployment, additive day partials per scope, and rollup versions.

-- Facts ---------------------------------------------------------------------------------------------
CREATE TABLE deployments (
    key text PRIMARY KEY,                      -- provider:deployment_key
    service text NOT NULL,
    environment text NOT NULL,
    production boolean NOT NULL,
    status text NOT NULL,
    rank integer NOT NULL,                     -- 0 started, 1 finished: a finish beats a start
    event_at timestamptz NOT NULL,
    event_id text NOT NULL,
    team text,
    repository text,
    sha text,
    version text,
    ref text,
    commit_range text[] NOT NULL DEFAULT '{}',
    is_rollback boolean NOT NULL DEFAULT false,
    is_hotfix boolean NOT NULL DEFAULT false,
    finished_at timestamptz,
    aliases text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX deployments_timeline ON deployments (service, environment, finished_at) WHERE production;
CREATE INDEX deployments_repository ON deployments (repository);
CREATE INDEX deployments_aliases ON deployments USING gin (aliases);
CREATE INDEX deployments_sha ON deployments (sha);
CREATE INDEX deployments_version ON deployments (service, environment, version);
CREATE INDEX deployments_range ON deployments USING gin (commit_range);

CREATE TABLE branch_commits (
    repository text NOT NULL,
    branch text NOT NULL,
    sha text NOT NULL,
    pushed_at timestamptz NOT NULL,
    idx integer NOT NULL,
    PRIMARY KEY (repository, branch, sha)
);
CREATE INDEX branch_commits_order ON branch_commits (repository, branch, pushed_at, idx);
CREATE INDEX branch_commits_sha ON branch_commits (sha);

CREATE TABLE commits (
    sha text PRIMARY KEY,
    repository text NOT NULL,
    committed_at timestamptz
);

CREATE TABLE reverts (
    id text PRIMARY KEY,                       -- the reverting commit sha or repo#pr
    repository text NOT NULL,
    sha text,                                  -- reverted commit (commit messages)
    pr_number integer,                         -- reverted pull request (revert pull requests)
    at timestamptz NOT NULL
);
CREATE INDEX reverts_repository ON reverts (repository, at);

CREATE TABLE pull_requests (
    repository text NOT NULL,
    number integer NOT NULL,
    event_at timestamptz NOT NULL,
    event_id text NOT NULL,
    title text NOT NULL,
    service text,
    team text,
    author text,
    merge_sha text,
    commit_shas text[] NOT NULL DEFAULT '{}',
    created_at timestamptz,
    first_commit_at timestamptz,
    first_review_at timestamptz,
    merged_at timestamptz,
    closed_at timestamptz,
    additions integer,
    deletions integer,
    is_hotfix boolean NOT NULL DEFAULT false,
    PRIMARY KEY (repository, number)
);
CREATE INDEX pull_requests_shas ON pull_requests USING gin (commit_shas);
CREATE INDEX pull_requests_merge_sha ON pull_requests (merge_sha);
CREATE INDEX pull_requests_merged ON pull_requests (merged_at);
CREATE INDEX pull_requests_hotfix ON pull_requests (repository) WHERE is_hotfix;

CREATE TABLE incidents (
    id text PRIMARY KEY,
    sequence integer NOT NULL,
    event_at timestamptz NOT NULL,
    event_id text NOT NULL,
    severity text NOT NULL,
    service text,
    team text,
    environment text,
    opened_at timestamptz NOT NULL,
    resolved_at timestamptz,
    day date NOT NULL,
    linked text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX incidents_service ON incidents (service, opened_at);
CREATE INDEX incidents_linked ON incidents USING gin (linked);

CREATE TABLE builds (
    key text PRIMARY KEY,                      -- provider:external_id
    event_at timestamptz NOT NULL,
    event_id text NOT NULL,
    name text NOT NULL,
    status text NOT NULL,
    service text,
    team text,
    repository text,
    finished_at timestamptz NOT NULL,
    duration_s double precision
);
CREATE INDEX builds_finished ON builds (finished_at);

CREATE TABLE quality_reports (
    id text PRIMARY KEY,                       -- event id: one report at one point in time
    tool text NOT NULL,
    kind text NOT NULL,
    project text NOT NULL,
    service text,
    team text,
    repository text,
    at timestamptz NOT NULL,
    coverage_pct double precision,
    gate_status text,
    issue_counts jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX quality_reports_at ON quality_reports (at);

-- Derived: the classification of every production deployment -----------------------------------------
CREATE TABLE outcomes (
    key text PRIMARY KEY,
    service text NOT NULL,
    environment text NOT NULL,
    team text,
    repository text,
    finished_at timestamptz NOT NULL,
    day date NOT NULL,
    status text NOT NULL,                      -- success | failed | pending | attempt_failed
    cause text,
    incident_ids text[] NOT NULL DEFAULT '{}',
    failure_at timestamptz,
    recovered_at timestamptz,
    recovered_by text,
    recovery_s double precision,
    rework text,
    window_end timestamptz
);
CREATE INDEX outcomes_timeline ON outcomes (service, environment, finished_at);
CREATE INDEX outcomes_pending ON outcomes (window_end) WHERE status = 'pending';
CREATE INDEX outcomes_day ON outcomes (day);

CREATE TABLE outcome_commits (
    key text NOT NULL,
    sha text NOT NULL,
    lead_s double precision,                   -- set on the first deployment containing the commit
    PRIMARY KEY (key, sha)
);
CREATE INDEX outcome_commits_sha ON outcome_commits (sha);

-- Rollups -------------------------------------------------------------------------------------------
CREATE TABLE day_partials (
    scope text NOT NULL,                       -- service | team | repository | org
    scope_key text NOT NULL,
    environment text NOT NULL,
    day date NOT NULL,
    partial jsonb NOT NULL,
    PRIMARY KEY (scope, scope_key, environment, day)
);

CREATE TABLE dirty_days (
    scope text NOT NULL,
    scope_key text NOT NULL,
    environment text NOT NULL,
    day date NOT NULL,
    PRIMARY KEY (scope, scope_key, environment, day)
);

CREATE TABLE rollup_versions (
    scope text NOT NULL,
    scope_key text NOT NULL,
    environment text NOT NULL,
    bucket text NOT NULL,
    bucket_start date NOT NULL,
    version integer NOT NULL,
    digest text NOT NULL,
    PRIMARY KEY (scope, scope_key, environment, bucket, bucket_start)
);

CREATE TABLE rollup_outbox (
    event_id text PRIMARY KEY,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
