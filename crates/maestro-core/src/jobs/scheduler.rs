//! The scheduler: every process runs a candidate, and the one holding the `scheduler` lease in
//! the database fires due schedules. A firing queues the schedule's job and advances its
//! counters only if the schedule is still due at the time read (compare-and-set), so a run
//! happens exactly once even while leadership changes hands; if the leader dies, another
//! candidate takes the lease once it expires. Time comes from the injected clock, so tests can
//! drive [`Scheduler::tick`] with a controlled one.

use std::time::Duration;

use maestro_model::FieldError;
use tokio::sync::broadcast::error::RecvError;

use super::model::Fire;
use super::trigger::Trigger;
use super::views::{job_event, schedule_event};
use super::{Jobs, Stop, holder_name};
use crate::CoreResult;

/// The lease's name in the database.
pub const LEASE: &str = "scheduler";
/// Schedules fired per query.
const BATCH: u32 = 200;
/// The longest the leader sleeps before looking again (new schedules from other processes on
/// SQLite, a clock moved by a test).
const MAX_NAP: Duration = Duration::from_secs(1);

pub struct Scheduler {
    jobs: Jobs,
    name: String,
}

impl Scheduler {
    pub fn new(jobs: Jobs) -> Self {
        Self {
            jobs,
            name: holder_name("scheduler"),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Fires every schedule due now (by the injected clock); returns how many fired.
    pub async fn tick(&self) -> CoreResult<usize> {
        let mut fired = 0;
        loop {
            let now = self.jobs.now();
            let due = self.jobs.store.due_schedules(now, BATCH).await?;
            let full = due.len() == BATCH as usize;
            for s in due {
                let Some(expected) = s.next_run_at else {
                    continue;
                };
                let mut errors: Vec<FieldError> = Vec::new();
                let Some(trigger) = Trigger::parse(&s.spec, &mut errors) else {
                    tracing::error!(schedule = %s.id, ?errors, "stored schedule has a bad trigger");
                    continue;
                };
                let run_count = s.run_count + 1;
                let exhausted = s.max_executions > 0 && run_count >= s.max_executions;
                let next = if exhausted {
                    None
                } else {
                    trigger.next_after(expected, now)
                };
                let job = self.jobs.job_for_schedule(&s, expected, Some(expected));
                let fire = Fire {
                    schedule: s.id,
                    expected_next: expected,
                    run_count,
                    next_run_at: next,
                    job,
                };
                if self.jobs.store.fire_schedule(&fire).await? {
                    fired += 1;
                    let mut after = s.clone();
                    after.run_count = run_count;
                    after.next_run_at = next;
                    after.last_run_at = Some(expected);
                    after.last_status = Some("queued".into());
                    after.last_job = Some(fire.job.id);
                    self.jobs.publish(job_event("job.status", &fire.job, now));
                    self.jobs
                        .publish(schedule_event("schedule.run", &after, now, Some(&fire.job)));
                }
            }
            if !full {
                return Ok(fired);
            }
        }
    }

    /// Competes for leadership and, while leader, fires schedules on time; until `stop`.
    pub async fn run(self, mut stop: Stop) {
        let lease = self.jobs.config.scheduler_lease;
        let lease_chrono =
            chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(15));
        let retry = (lease / 5).max(Duration::from_millis(100));
        let mut events = self.jobs.bus.subscribe();
        let mut leader = false;
        while !stop.is_stopped() {
            let now = self.jobs.now();
            let held = match self
                .jobs
                .store
                .acquire_lease(LEASE, &self.name, now, now + lease_chrono)
                .await
            {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!(scheduler = %self.name, error = %e, "cannot reach the scheduler lease");
                    false
                }
            };
            if held != leader {
                leader = held;
                if leader {
                    tracing::info!(scheduler = %self.name, "this process now runs the scheduler");
                } else {
                    tracing::info!(scheduler = %self.name, "scheduler leadership lost");
                }
            }
            if !leader {
                tokio::select! {
                    () = stop.wait() => break,
                    () = tokio::time::sleep(retry) => {}
                }
                continue;
            }
            // Lead until the lease needs renewing (a third of it, leaving room for slowness).
            let renew_at = tokio::time::Instant::now() + lease / 3;
            loop {
                if let Err(e) = self.tick().await {
                    tracing::warn!(scheduler = %self.name, error = %e, "cannot fire schedules");
                }
                let next = self.jobs.store.next_due().await.ok().flatten();
                let until_due = next
                    .map(|t| (t - self.jobs.now()).to_std().unwrap_or(Duration::ZERO))
                    .unwrap_or(MAX_NAP);
                let nap = until_due.min(MAX_NAP);
                let wake = (tokio::time::Instant::now() + nap).min(renew_at);
                tokio::select! {
                    () = stop.wait() => break,
                    () = tokio::time::sleep_until(wake) => {}
                    () = schedule_change(&mut events) => {}
                }
                if tokio::time::Instant::now() >= renew_at {
                    break;
                }
            }
        }
        if leader {
            let _ = self.jobs.store.release_lease(LEASE, &self.name).await;
        }
    }
}

/// Resolves when a schedule is created or changed (or events were missed).
async fn schedule_change(
    events: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<crate::events::Event>>,
) {
    loop {
        match events.recv().await {
            Ok(e) if e.kind.starts_with("schedule.") && e.kind != "schedule.run" => return,
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => return,
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}
