//! Jobs as users see them: queue, list, read (with progress and log lines) and cancel. A job
//! belongs to its owner (the schedule's owner); others get a 404, readers without the write
//! role a 403 when cancelling.

use maestro_model::query::PageRequest;
use maestro_model::{FieldError, Role};
use serde_json::Value;

use super::Jobs;
use super::model::{JobFilter, JobId, JobRecord, JobStatus};
use super::views::{job_event, job_view, role_on, visible_owners};
use crate::{Caller, CoreError, CoreResult, Page};

/// Log lines returned with a job.
const LOG_LINES: u32 = 500;

impl Jobs {
    /// Stores queued jobs and tells workers (and the owners' live streams).
    pub async fn enqueue(&self, jobs: Vec<JobRecord>) -> CoreResult<Vec<JobRecord>> {
        if jobs.is_empty() {
            return Ok(jobs);
        }
        self.store.insert_jobs(&jobs).await?;
        let now = self.now();
        for j in &jobs {
            self.publish(job_event("job.status", j, now));
        }
        Ok(jobs)
    }

    /// The job if the caller may read it (404 otherwise), with their role on it.
    pub(super) async fn visible_job(
        &self,
        caller: &Caller,
        id: JobId,
    ) -> CoreResult<(JobRecord, Role)> {
        let job = self.store.job(id).await?;
        job.and_then(|j| role_on(caller, &j.owner).map(|r| (j, r)))
            .ok_or_else(|| CoreError::not_found(format!("job {id}")))
    }

    /// `GET /jobs/{id}`: the job with its latest log lines.
    pub async fn get_job(&self, caller: &Caller, id: JobId) -> CoreResult<Value> {
        let (job, _) = self.visible_job(caller, id).await?;
        let logs = self.store.job_logs(id, LOG_LINES).await?;
        Ok(job_view(&job, Some(&logs)))
    }

    /// `GET /jobs?status=…&module=…&schedule=…`: newest first.
    pub async fn list_jobs(
        &self,
        caller: &Caller,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        let mut filter = JobFilter {
            owners: visible_owners(caller),
            ..JobFilter::default()
        };
        for (k, v) in pairs {
            match k.as_str() {
                "page" | "limit" => {}
                "status" => {
                    for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        match JobStatus::parse(s) {
                            Some(st) => filter.statuses.push(st),
                            None => errors.push(FieldError::new(
                                "status",
                                "must be queued, running, succeeded, failed or cancelled",
                            )),
                        }
                    }
                }
                "module" => filter.module = Some(v.trim().to_owned()),
                "schedule" => match v.parse() {
                    Ok(id) => filter.schedule = Some(id),
                    Err(_) => errors.push(FieldError::new("schedule", "must be a schedule id")),
                },
                other => errors.push(FieldError::new(
                    other,
                    "unknown parameter (use page, limit, status, module, schedule)",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let (items, total) = self.store.list_jobs(&filter, page).await?;
        Ok(Page {
            items: items.iter().map(|j| job_view(j, None)).collect(),
            total,
            page: page.page,
            limit: page.limit,
        })
    }

    /// `POST /jobs/{id}/cancel`: a queued job is cancelled at once; a running one is asked to
    /// stop (its worker aborts it within moments). A finished job is a conflict.
    pub async fn cancel_job(&self, caller: &Caller, id: JobId) -> CoreResult<Value> {
        let (job, role) = self.visible_job(caller, id).await?;
        if role < Role::Write {
            return Err(CoreError::Forbidden(
                "you need the write role on this job's owner to cancel it".into(),
            ));
        }
        if job.status.is_final() {
            return Err(CoreError::Conflict(format!(
                "the job is already {}",
                job.status.as_str()
            )));
        }
        let now = self.now();
        let job = self
            .store
            .cancel_job(id, now)
            .await?
            .ok_or_else(|| CoreError::not_found(format!("job {id}")))?;
        self.publish(job_event("job.status", &job, now));
        Ok(job_view(&job, None))
    }
}
