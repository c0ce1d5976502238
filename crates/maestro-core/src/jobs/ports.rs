//! The storage port of jobs, schedules and leases. `maestro-store` implements it for SQLite and
//! PostgreSQL; claims are atomic (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite) and every lease lives in the database, so any number of processes can share it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use maestro_model::query::PageRequest;
use uuid::Uuid;

use super::model::{
    Fire, JobFilter, JobId, JobOutcome, JobRecord, LogLine, ScheduleId, ScheduleRecord,
};
use crate::ports::{ChangeRecord, StoreResult};

/// A job still held by the worker that asked, after a heartbeat.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub id: JobId,
    pub cancel_requested: bool,
}

#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    // --- jobs
    async fn insert_jobs(&self, jobs: &[JobRecord]) -> StoreResult<()>;
    async fn job(&self, id: JobId) -> StoreResult<Option<JobRecord>>;
    /// Jobs matching `filter`, newest first.
    async fn list_jobs(
        &self,
        filter: &JobFilter,
        page: PageRequest,
    ) -> StoreResult<(Vec<JobRecord>, u64)>;
    /// The last `limit` log lines of a job, oldest first.
    async fn job_logs(&self, id: JobId, limit: u32) -> StoreResult<Vec<LogLine>>;
    async fn append_log(&self, id: JobId, line: &LogLine) -> StoreResult<()>;
    /// Claims up to `limit` jobs that are queued and due at `now`, or running under an expired
    /// lease (their worker died), for `worker` until `lease_until`. Each claim counts an attempt.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<JobRecord>>;
    /// Extends the leases of `ids` that `worker` still holds; returns those.
    async fn heartbeat(
        &self,
        worker: &str,
        ids: &[JobId],
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Vec<Held>>;
    /// Records the progress of a job `worker` holds; false when it no longer holds it.
    async fn set_progress(
        &self,
        id: JobId,
        worker: &str,
        progress: u8,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Applies the outcomes of attempts `worker` still holds, each with its schedule update and
    /// chained jobs, in one transaction; returns the ids applied (others were lost to a lease
    /// expiry and will run again elsewhere).
    async fn finish_jobs(&self, worker: &str, outcomes: &[JobOutcome]) -> StoreResult<Vec<JobId>>;
    /// Cancels a queued job, or asks the worker of a running one to stop. Returns the job as
    /// now stored (None when absent).
    async fn cancel_job(&self, id: JobId, at: DateTime<Utc>) -> StoreResult<Option<JobRecord>>;
    /// Gives back jobs `worker` holds without counting the attempt (graceful shutdown).
    async fn release_jobs(&self, worker: &str, ids: &[JobId], at: DateTime<Utc>)
    -> StoreResult<()>;

    // --- schedules
    async fn insert_schedule(
        &self,
        schedule: &ScheduleRecord,
        change: &ChangeRecord,
    ) -> StoreResult<()>;
    async fn schedule(&self, id: ScheduleId) -> StoreResult<Option<ScheduleRecord>>;
    /// Schedules owned by `owners` (None = all), matching `q` in their name, by name.
    async fn list_schedules(
        &self,
        owners: Option<&[Uuid]>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<ScheduleRecord>, u64)>;
    /// Writes the user's fields (name, enabled, module, spec, max_executions) and, when
    /// `reschedule`, `next_run_at` — if the revision is still `schedule.revision - 1`.
    async fn update_schedule(
        &self,
        schedule: &ScheduleRecord,
        reschedule: bool,
        change: &ChangeRecord,
    ) -> StoreResult<()>;
    /// Deletes a schedule and cancels its queued jobs; false when absent.
    async fn delete_schedule(&self, id: ScheduleId, change: &ChangeRecord) -> StoreResult<bool>;
    /// Enabled schedules due at `now`, earliest first.
    async fn due_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ScheduleRecord>>;
    /// The earliest next run of an enabled schedule.
    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>>;
    /// Fires a schedule (job inserted, counters advanced) if still enabled and due at
    /// `fire.expected_next`; false when another scheduler or an edit got there first.
    async fn fire_schedule(&self, fire: &Fire) -> StoreResult<bool>;

    // --- leases
    /// Takes or renews the lease `name` for `holder` until `until` when free, expired at
    /// `now`, or already `holder`'s; returns whether `holder` has it.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}
