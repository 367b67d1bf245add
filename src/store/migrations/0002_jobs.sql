-- 0002: the job queue, per-job side-effect keys, and schedules (docs/jobs.md).

CREATE TABLE jobs (
    id {{ID}},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',     -- JSON object
    priority INTEGER NOT NULL DEFAULT 0,    -- higher first
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
    run_after BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    lease_owner TEXT,                       -- "host:pid:n" of the worker holding it
    lease_until BIGINT,
    progress_done BIGINT,
    progress_total BIGINT,
    last_error TEXT,
    unique_key TEXT UNIQUE,                 -- a second job with the key is not created
    schedule_id BIGINT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    region_id BIGINT,                       -- whose job it is (scope); NULL: the installation's
    municipality_id BIGINT,
    org_id BIGINT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);
-- What a worker looks for: ready queued jobs by priority, and expired leases.
CREATE INDEX jobs_ready ON jobs (priority DESC, run_after, id) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_scope ON jobs (region_id, municipality_id, org_id, id);

-- Side effects done once per job (job_once): the key is recorded in the
-- transaction of the effect.
CREATE TABLE job_effects (
    job_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (job_id, key)
);

CREATE TABLE schedules (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    rule TEXT NOT NULL,                     -- cron or shorthand, docs/jobs.md
    timezone TEXT NOT NULL,                 -- IANA zone the rule is read in
    kind TEXT NOT NULL,                     -- job kind it fires
    payload TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    last_slot BIGINT NOT NULL,              -- the latest slot fired (or passed at creation)
    region_id BIGINT,
    municipality_id BIGINT,
    org_id BIGINT,
    created_at BIGINT NOT NULL
);
