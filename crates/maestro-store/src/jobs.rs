//! The jobs port ([`JobStore`]) on both backends: the job queue (`queue`), schedules and
//! leases (`schedules`), and on PostgreSQL the cross-process event relay (`notify`).

mod notify;
mod queue;
mod rows;
mod schedules;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use maestro_core::jobs::model::{
    Fire, JobFilter, JobId, JobOutcome, JobRecord, LogLine, ScheduleId, ScheduleRecord,
};
use maestro_core::jobs::ports::{Held, JobStore};
use maestro_core::ports::{ChangeRecord, StoreResult};
use maestro_model::query::PageRequest;
use uuid::Uuid;

use crate::Db;

#[async_trait]
impl JobStore for Db {
    async fn insert_jobs(&self, jobs: &[JobRecord]) -> StoreResult<()> {
        self.insert_jobs_impl(jobs).await
    }

    async fn job(&self, id: JobId) -> StoreResult<Option<JobRecord>> {
        self.job_impl(id).await
    }

    async fn list_jobs(
        &self,
        filter: &JobFilter,
        page: PageRequest,
    ) -> StoreResult<(Vec<JobRecord>, u64)> {
        self.list_jobs_impl(filter, page).await
    }

    async fn job_logs(&self, id: JobId, limit: u32) -> StoreResult<Vec<LogLine>> {
        self.job_logs_impl(id, limit).await
    }

    async fn append_log(&self, id: JobId, line: &LogLine) -> StoreResult<()> {
        self.append_log_impl(id, line).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<JobRecord>> {
        self.claim_jobs_impl(worker, now, lease_until, limit).await
    }

    async fn heartbeat(
        &self,
        worker: &str,
        ids: &[JobId],
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Vec<Held>> {
        self.heartbeat_impl(worker, ids, lease_until).await
    }

    async fn set_progress(
        &self,
        id: JobId,
        worker: &str,
        progress: u8,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.set_progress_impl(id, worker, progress, at).await
    }

    async fn finish_jobs(&self, worker: &str, outcomes: &[JobOutcome]) -> StoreResult<Vec<JobId>> {
        self.finish_jobs_impl(worker, outcomes).await
    }

    async fn cancel_job(&self, id: JobId, at: DateTime<Utc>) -> StoreResult<Option<JobRecord>> {
        self.cancel_job_impl(id, at).await
    }

    async fn release_jobs(
        &self,
        worker: &str,
        ids: &[JobId],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.release_jobs_impl(worker, ids, at).await
    }

    async fn insert_schedule(
        &self,
        schedule: &ScheduleRecord,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        self.insert_schedule_impl(schedule, change).await
    }

    async fn schedule(&self, id: ScheduleId) -> StoreResult<Option<ScheduleRecord>> {
        self.schedule_impl(id).await
    }

    async fn list_schedules(
        &self,
        owners: Option<&[Uuid]>,
        q: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<(Vec<ScheduleRecord>, u64)> {
        self.list_schedules_impl(owners, q, page).await
    }

    async fn update_schedule(
        &self,
        schedule: &ScheduleRecord,
        reschedule: bool,
        change: &ChangeRecord,
    ) -> StoreResult<()> {
        self.update_schedule_impl(schedule, reschedule, change)
            .await
    }

    async fn delete_schedule(&self, id: ScheduleId, change: &ChangeRecord) -> StoreResult<bool> {
        self.delete_schedule_impl(id, change).await
    }

    async fn due_schedules(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<ScheduleRecord>> {
        self.due_schedules_impl(now, limit).await
    }

    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        self.next_due_impl().await
    }

    async fn fire_schedule(&self, fire: &Fire) -> StoreResult<bool> {
        self.fire_schedule_impl(fire).await
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.acquire_lease_impl(name, holder, now, until).await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        self.release_lease_impl(name, holder).await
    }
}
