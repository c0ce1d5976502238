-- Jobs, schedules, job log lines and leases (scheduler leadership). Times are microseconds
-- since the Unix epoch; ids are UUID strings; documents are JSON text.

CREATE TABLE schedules (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    enabled        BOOLEAN NOT NULL,
    module         TEXT NOT NULL,
    owner_kind     TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    spec           TEXT NOT NULL,
    max_executions INTEGER NOT NULL DEFAULT 0,
    run_count      INTEGER NOT NULL DEFAULT 0,
    next_run_at    INTEGER,
    last_run_at    INTEGER,
    last_status    TEXT,
    last_error     TEXT,
    last_job_id    TEXT,
    revision       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
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
    params           TEXT NOT NULL,
    status           TEXT NOT NULL,
    progress         INTEGER NOT NULL DEFAULT 0,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    backoff_seconds  INTEGER NOT NULL,
    timeout_seconds  INTEGER NOT NULL,
    result           TEXT,
    error            TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    worker           TEXT,
    lease_until      INTEGER,
    due_at           INTEGER,
    run_at           INTEGER NOT NULL,
    scheduled_for    INTEGER,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX ix_jobs_due ON jobs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX ix_jobs_owner ON jobs (owner_id, id);
CREATE INDEX ix_jobs_schedule ON jobs (schedule_id, id);
CREATE INDEX ix_jobs_status ON jobs (status, id);

CREATE TABLE job_logs (
    id      TEXT PRIMARY KEY,
    job_id  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    level   TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX ix_job_logs_job ON job_logs (job_id, id);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
