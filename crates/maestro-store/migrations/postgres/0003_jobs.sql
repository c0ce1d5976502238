-- Jobs, schedules, job log lines and leases (scheduler leadership). Times are microseconds
-- since the Unix epoch; ids are UUID strings; documents are JSONB.

CREATE TABLE schedules (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    enabled        BOOLEAN NOT NULL,
    module         TEXT NOT NULL,
    owner_kind     TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    spec           JSONB NOT NULL,
    max_executions BIGINT NOT NULL DEFAULT 0,
    run_count      BIGINT NOT NULL DEFAULT 0,
    next_run_at    BIGINT,
    last_run_at    BIGINT,
    last_status    TEXT,
    last_error     TEXT,
    last_job_id    TEXT,
    revision       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX ix_schedules_due ON schedules (next_run_at) WHERE enabled;
CREATE INDEX ix_schedules_owner ON schedules (owner_id, name);
CREATE INDEX ix_schedules_name ON schedules (name, id);

-- `due_at` is when a worker should look at a job: its run time while queued, its lease expiry
-- while running, NULL once it is over.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    module           TEXT NOT NULL,
    owner_kind       TEXT NOT NULL,
    owner_id         TEXT NOT NULL,
    schedule_id      TEXT,
    params           JSONB NOT NULL,
    status           TEXT NOT NULL,
    progress         BIGINT NOT NULL DEFAULT 0,
    attempt          BIGINT NOT NULL DEFAULT 0,
    max_attempts     BIGINT NOT NULL,
    backoff_seconds  BIGINT NOT NULL,
    timeout_seconds  BIGINT NOT NULL,
    result           JSONB,
    error            TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    worker           TEXT,
    lease_until      BIGINT,
    due_at           BIGINT,
    run_at           BIGINT NOT NULL,
    scheduled_for    BIGINT,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX ix_jobs_due ON jobs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX ix_jobs_owner ON jobs (owner_id, id);
CREATE INDEX ix_jobs_schedule ON jobs (schedule_id, id);
CREATE INDEX ix_jobs_status ON jobs (status, id);

CREATE TABLE job_logs (
    id      TEXT PRIMARY KEY,
    job_id  TEXT NOT NULL,
    at      BIGINT NOT NULL,
    level   TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX ix_job_logs_job ON job_logs (job_id, id);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
