//! A worker: claims due jobs (up to its concurrency) under a lease, runs each with its module
//! and time limit, keeps the leases alive with heartbeats, and records outcomes in batches —
//! retries with backoff, final failures, cancellations — together with what they mean for the
//! job's schedule (status, disabling, chained runs). It wakes when jobs are queued (bus
//! events) and polls otherwise. A job whose worker dies runs again once its lease expires.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::{AbortHandle, JoinSet};

use super::model::{JobId, JobOutcome, JobRecord, JobStatus, ScheduleOutcome};
use super::policy::RetryPolicy;
use super::registry::{JobContext, JobError};
use super::spec::chain_of;
use super::views::{job_event, schedule_event};
use super::{Jobs, Stop, holder_name};

/// How long a finished job waits for others to finish, so their outcomes share one write.
const LINGER: Duration = Duration::from_millis(2);
/// How long running jobs may finish after a stop before they are given back.
const GRACE: Duration = Duration::from_secs(5);

/// Why a running job was aborted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Abort {
    Cancel,
    /// Its lease went to another worker.
    Lost,
}

struct Slot {
    job: JobRecord,
    handle: AbortHandle,
    abort: Option<Abort>,
}

/// One worker; `run` until stopped.
pub struct Worker {
    jobs: Jobs,
    name: String,
    concurrency: usize,
    slots: HashMap<tokio::task::Id, Slot>,
    tasks: JoinSet<Result<Value, JobError>>,
}

type Ended = (JobRecord, Result<Value, JobError>, Option<Abort>);

impl Worker {
    pub fn new(jobs: Jobs) -> Self {
        let concurrency = jobs.config.concurrency.max(1);
        Self {
            jobs,
            name: holder_name("worker"),
            concurrency,
            slots: HashMap::new(),
            tasks: JoinSet::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.jobs.config.job_lease)
            .unwrap_or(chrono::Duration::seconds(30))
    }

    /// Runs until `stop`; then lets running jobs finish for a moment and gives back the rest.
    pub async fn run(mut self, mut stop: Stop) {
        let mut events = self.jobs.bus.subscribe();
        let mut beat = tokio::time::interval(self.jobs.config.job_lease / 3);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // An interval, not a fresh sleep per turn: a stream of unrelated events must not keep
        // postponing the look for retries that became due.
        let mut poll = tokio::time::interval(self.jobs.config.poll);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut claim = true;
        tracing::debug!(worker = %self.name, "worker started");
        while !stop.is_stopped() {
            if claim && self.tasks.len() < self.concurrency {
                claim = false;
                self.claim().await;
            }
            tokio::select! {
                biased;
                () = stop.wait() => break,
                Some(first) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    // Jobs ending within a moment of each other share one write.
                    let mut ended = vec![self.ended(first)];
                    let linger = tokio::time::Instant::now() + LINGER;
                    while !self.tasks.is_empty() {
                        match tokio::time::timeout_at(linger, self.tasks.join_next_with_id()).await {
                            Ok(Some(more)) => ended.push(self.ended(more)),
                            _ => break,
                        }
                    }
                    self.finish(ended.into_iter().flatten().collect()).await;
                    claim = true;
                }
                _ = beat.tick() => self.heartbeat().await,
                ev = events.recv() => match ev {
                    Ok(e) if e.kind == "job.status" => {
                        if e.data["status"] == "queued" {
                            claim = true;
                        }
                        if e.data["cancel_requested"] == true {
                            self.abort(e.data["id"].as_str(), Abort::Cancel);
                        }
                    }
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => claim = true,
                    Err(RecvError::Closed) => events = self.jobs.bus.subscribe(),
                },
                _ = poll.tick() => claim = true,
            }
        }
        let name = self.name.clone();
        self.shut_down().await;
        tracing::debug!(worker = %name, "worker stopped");
    }

    async fn claim(&mut self) {
        let now = self.jobs.now();
        let free = (self.concurrency - self.tasks.len()) as u32;
        let claimed = match self
            .jobs
            .store
            .claim_jobs(&self.name, now, now + self.lease(), free)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(worker = %self.name, error = %e, "cannot claim jobs");
                return;
            }
        };
        for job in claimed {
            self.jobs.publish(job_event("job.status", &job, now));
            let (jobs, worker, j) = (self.jobs.clone(), self.name.clone(), job.clone());
            let handle = self.tasks.spawn(execute(jobs, worker, j));
            self.slots.insert(
                handle.id(),
                Slot {
                    abort: job.cancel_requested.then_some(Abort::Cancel),
                    job,
                    handle,
                },
            );
        }
    }

    /// The job behind a finished task and how its attempt ended.
    fn ended(
        &mut self,
        res: Result<(tokio::task::Id, Result<Value, JobError>), tokio::task::JoinError>,
    ) -> Option<Ended> {
        let (id, result) = match res {
            Ok((id, r)) => (id, r),
            Err(e) if e.is_panic() => (e.id(), Err(JobError::fatal("the job panicked"))),
            Err(e) => (e.id(), Err(JobError::fatal("cancelled"))),
        };
        let slot = self.slots.remove(&id)?;
        Some((slot.job, result, slot.abort))
    }

    fn abort(&mut self, id: Option<&str>, why: Abort) {
        let Some(id) = id.and_then(|s| s.parse::<JobId>().ok()) else {
            return;
        };
        for slot in self.slots.values_mut().filter(|s| s.job.id == id) {
            slot.abort.get_or_insert(why);
            slot.handle.abort();
        }
    }

    async fn heartbeat(&mut self) {
        if self.slots.is_empty() {
            return;
        }
        let ids: Vec<JobId> = self.slots.values().map(|s| s.job.id).collect();
        let now = self.jobs.now();
        match self
            .jobs
            .store
            .heartbeat(&self.name, &ids, now + self.lease())
            .await
        {
            Ok(held) => {
                for id in ids {
                    match held.iter().find(|h| h.id == id) {
                        None => self.abort(Some(&id.to_string()), Abort::Lost),
                        Some(h) if h.cancel_requested => {
                            self.abort(Some(&id.to_string()), Abort::Cancel)
                        }
                        Some(_) => {}
                    }
                }
            }
            Err(e) => tracing::warn!(worker = %self.name, error = %e, "heartbeat failed"),
        }
    }

    /// Turns ended attempts into outcomes (with their schedules' updates) and records them.
    async fn finish(&self, ended: Vec<Ended>) {
        let now = self.jobs.now();
        let mut outcomes = Vec::new();
        let mut events = Vec::new();
        for (job, result, abort) in ended {
            if abort == Some(Abort::Lost) {
                continue;
            }
            let mut mine = Vec::new();
            let mut out = JobOutcome {
                id: job.id,
                status: JobStatus::Succeeded,
                progress: 100,
                result: None,
                error: None,
                run_at: job.run_at,
                at: now,
                schedule: None,
                enqueue: Vec::new(),
            };
            let keep_schedule = matches!(&result, Err(e) if e.keep_schedule);
            match (abort, result) {
                (Some(Abort::Cancel), _) => {
                    out.status = JobStatus::Cancelled;
                    out.progress = job.progress;
                    out.error = Some("cancelled".into());
                }
                (_, Ok(v)) => out.result = Some(v),
                (_, Err(e)) if e.retry && job.attempt < job.max_attempts => {
                    let wait = RetryPolicy::delay(job.backoff_seconds, job.attempt);
                    out.status = JobStatus::Queued;
                    out.progress = 0;
                    out.run_at = now + wait;
                    out.error = Some(e.message.clone());
                    self.jobs
                        .log(
                            job.id,
                            "warn",
                            format!(
                                "attempt {} of {} failed: {}; retrying in {} s",
                                job.attempt,
                                job.max_attempts,
                                e.message,
                                wait.num_seconds()
                            ),
                        )
                        .await;
                }
                (_, Err(e)) => {
                    out.status = JobStatus::Failed;
                    out.progress = job.progress;
                    out.error = Some(e.message.clone());
                    out.result = e.result.clone();
                    self.jobs
                        .log(
                            job.id,
                            "error",
                            format!(
                                "attempt {} of {} failed: {}",
                                job.attempt, job.max_attempts, e.message
                            ),
                        )
                        .await;
                }
            }
            if out.status.is_final()
                && let Some(sid) = job.schedule
            {
                match self.jobs.store.schedule(sid).await {
                    Ok(Some(mut s)) => {
                        let failed = out.status == JobStatus::Failed;
                        let disable = failed && s.enabled && !keep_schedule;
                        out.schedule = Some(ScheduleOutcome {
                            schedule: sid,
                            job: job.id,
                            status: out.status,
                            error: out.error.clone().filter(|_| failed),
                            disable,
                            change: disable.then(|| disabled_change(&s, &job, now)),
                        });
                        if out.status == JobStatus::Succeeded {
                            out.enqueue = self.chained(&s.spec, now).await;
                        }
                        s.last_status = Some(out.status.as_str().into());
                        s.last_error = out.error.clone().filter(|_| failed);
                        s.enabled &= !disable;
                        mine.push(schedule_event("schedule.updated", &s, now, Some(&job)));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(schedule = %sid, error = %e, "cannot read the schedule")
                    }
                }
            }
            let mut after = job.clone();
            after.status = out.status;
            after.progress = out.progress;
            after.error = out.error.clone();
            mine.insert(0, job_event("job.status", &after, now));
            mine.extend(out.enqueue.iter().map(|j| job_event("job.status", j, now)));
            events.push((job.id, mine));
            outcomes.push(out);
        }
        if outcomes.is_empty() {
            return;
        }
        match self.jobs.store.finish_jobs(&self.name, &outcomes).await {
            Ok(applied) => {
                for (id, mine) in events {
                    if applied.contains(&id) {
                        mine.into_iter().for_each(|e| self.jobs.publish(e));
                    }
                }
            }
            Err(e) => {
                tracing::error!(worker = %self.name, error = %e, "cannot record job outcomes")
            }
        }
    }

    /// The jobs a schedule's chain queues after a success.
    async fn chained(
        &self,
        spec: &serde_json::Map<String, Value>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<JobRecord> {
        let mut out = Vec::new();
        for link in chain_of(spec) {
            if let Ok(Some(target)) = self.jobs.store.schedule(link.schedule).await
                && target.enabled
            {
                let at = now + chrono::Duration::seconds(i64::from(link.delay_seconds));
                out.push(self.jobs.job_for_schedule(&target, at, None));
            }
        }
        out
    }

    async fn shut_down(mut self) {
        let deadline = tokio::time::Instant::now() + GRACE;
        while !self.tasks.is_empty() {
            match tokio::time::timeout_at(deadline, self.tasks.join_next_with_id()).await {
                Ok(Some(res)) => {
                    let ended = self.ended(res);
                    self.finish(ended.into_iter().collect()).await;
                }
                Ok(None) | Err(_) => break,
            }
        }
        let left: Vec<JobId> = self.slots.values().map(|s| s.job.id).collect();
        self.tasks.abort_all();
        if !left.is_empty() {
            let now = self.jobs.now();
            if let Err(e) = self.jobs.store.release_jobs(&self.name, &left, now).await {
                tracing::warn!(worker = %self.name, error = %e, "cannot give back running jobs");
            }
        }
    }
}

/// One attempt of a job.
async fn execute(jobs: Jobs, worker: String, job: JobRecord) -> Result<Value, JobError> {
    if job.cancel_requested {
        return Err(JobError::fatal("cancelled"));
    }
    if job.attempt > job.max_attempts {
        return Err(JobError::fatal(format!(
            "gave up: the worker running attempt {} stopped",
            job.max_attempts
        )));
    }
    let Some(module) = jobs.module(&job.module) else {
        return Err(JobError::fatal(format!("unknown module {:?}", job.module)));
    };
    let limit = Duration::from_secs(u64::from(job.timeout_seconds.max(1)));
    let ctx = JobContext { job, jobs, worker };
    match tokio::time::timeout(limit, module.run(&ctx)).await {
        Ok(r) => r,
        Err(_) => Err(JobError::new(format!(
            "timed out after {} s",
            limit.as_secs()
        ))),
    }
}

/// The history record of a schedule disabled because its job failed.
fn disabled_change(
    s: &super::model::ScheduleRecord,
    job: &JobRecord,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::ports::ChangeRecord {
    crate::ports::ChangeRecord {
        id: uuid::Uuid::now_v7(),
        subject_kind: "schedule".into(),
        subject_id: s.id.to_string(),
        at: now,
        actor_id: None,
        actor_name: "Maestro".into(),
        source: crate::Source::Job.as_str().into(),
        op: "update".into(),
        changes: serde_json::json!([{"path": "enabled", "old": true, "new": false}]),
        context: Some(serde_json::json!({"job": job.id, "reason": "the job failed"})),
    }
}
