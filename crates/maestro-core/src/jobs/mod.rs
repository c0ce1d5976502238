//! Background work: durable jobs run by workers under leases, schedules fired by one elected
//! scheduler, and the event bus behind live notifications. Everything shared lives in the
//! database (jobs, schedules, leases), so any number of `serve` and `worker` processes can work
//! on one PostgreSQL; on SQLite one process does it all.
//!
//! * [`Jobs`] — the service: the REST API's and the UI's entry point (jobs, schedules), and
//!   what workers and the scheduler run on.
//! * [`worker::Worker`] — claims due jobs, runs them with a time limit, heartbeats, retries.
//! * [`scheduler::Scheduler`] — holds the leadership lease and fires due schedules, each run
//!   exactly once (a compare-and-set on the schedule's next run time).
//! * [`bus::Bus`] — in-process broadcast, optionally relayed across processes.

pub mod bus;
mod cron_error;
pub mod model;
pub mod policy;
pub mod ports;
mod queue;
pub mod registry;
pub mod scheduler;
mod schedules;
pub mod sealed;
pub mod spec;
pub mod trigger;
pub mod views;
pub mod webhook;
pub mod worker;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use uuid::Uuid;

pub use bus::Bus;
pub use model::{JobId, JobRecord, JobStatus, ScheduleId, ScheduleRecord};
pub use policy::{JobsConfig, RetryPolicy};
pub use ports::JobStore;
pub use registry::{JobContext, JobError, JobModule};
pub use trigger::interval_text;

use crate::Core;
use crate::caller::Principal;
use crate::events::EventSink;
use model::LogLine;
use registry::Registry;

/// The jobs service; cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    pub core: Core,
    pub store: Arc<dyn JobStore>,
    pub bus: Bus,
    pub config: Arc<JobsConfig>,
    registry: Registry,
    /// Set when the process shuts down: workers, the scheduler and event streams end.
    closing: Arc<StopHandle>,
    closed: Stop,
}

/// A job to queue (see [`Jobs::enqueue`]).
#[derive(Debug, Clone)]
pub struct NewJob {
    pub name: String,
    pub module: String,
    pub owner: Principal,
    pub params: serde_json::Value,
    pub policy: RetryPolicy,
}

impl Jobs {
    /// The service with the built-in modules (`webhook`, `noop`) registered.
    pub fn new(core: Core, store: Arc<dyn JobStore>, bus: Bus, config: JobsConfig) -> Self {
        let registry = Registry::default();
        registry.register(Arc::new(webhook::Webhook));
        registry.register(Arc::new(registry::Noop));
        let (closing, closed) = stop_signal();
        Self {
            core,
            store,
            bus,
            config: Arc::new(config),
            registry,
            closing: Arc::new(closing),
            closed,
        }
    }

    /// Resolves once the process shuts down ([`Jobs::shut_down`]).
    pub fn closed(&self) -> Stop {
        self.closed.clone()
    }

    /// Ends the workers, the scheduler and the live event streams of this process.
    pub fn shut_down(&self) {
        self.closing.stop();
    }

    /// Adds (or replaces) a module.
    pub fn register(&self, module: Arc<dyn JobModule>) {
        self.registry.register(module);
    }

    /// Every module: (name, description).
    pub fn modules(&self) -> Vec<(&'static str, &'static str)> {
        self.registry.list()
    }

    pub fn module(&self, name: &str) -> Option<Arc<dyn JobModule>> {
        self.registry.get(name)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.core.now()
    }

    fn publish(&self, event: crate::events::Event) {
        self.bus.publish(event);
    }

    /// A queued job record, due at `run_at`.
    pub fn job_record(
        &self,
        new: NewJob,
        schedule: Option<ScheduleId>,
        run_at: DateTime<Utc>,
        scheduled_for: Option<DateTime<Utc>>,
    ) -> JobRecord {
        let now = self.now();
        let timeout = self
            .module(&new.module)
            .map_or(300, |m| m.timeout(&new.params).as_secs())
            .clamp(1, u64::from(u32::MAX)) as u32;
        JobRecord {
            id: JobId::new(),
            name: new.name,
            module: new.module,
            owner: new.owner,
            schedule,
            params: new.params,
            status: JobStatus::Queued,
            progress: 0,
            attempt: 0,
            max_attempts: new.policy.max_attempts,
            backoff_seconds: new.policy.backoff_seconds,
            timeout_seconds: timeout,
            result: None,
            error: None,
            cancel_requested: false,
            worker: None,
            lease_until: None,
            run_at,
            scheduled_for,
            created_at: now,
            started_at: None,
            finished_at: None,
            updated_at: now,
        }
    }

    /// The job a schedule runs, due at `run_at`.
    pub(crate) fn job_for_schedule(
        &self,
        s: &ScheduleRecord,
        run_at: DateTime<Utc>,
        scheduled_for: Option<DateTime<Utc>>,
    ) -> JobRecord {
        let new = NewJob {
            name: s.name.clone(),
            module: s.module.clone(),
            owner: s.owner.clone(),
            params: s.spec.get("params").cloned().unwrap_or_default(),
            policy: spec::policy_of(&s.spec),
        };
        self.job_record(new, Some(s.id), run_at, scheduled_for)
    }

    async fn report_progress(&self, job: &JobRecord, worker: &str, percent: u8) {
        let now = self.now();
        match self.store.set_progress(job.id, worker, percent, now).await {
            Ok(true) => {
                let mut j = job.clone();
                j.progress = percent;
                j.status = JobStatus::Running;
                self.publish(views::job_event("job.progress", &j, now));
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(job = %job.id, error = %e, "cannot record progress"),
        }
    }

    async fn log(&self, id: JobId, level: &str, message: String) {
        let line = LogLine {
            at: self.now(),
            level: level.to_owned(),
            message,
        };
        if let Err(e) = self.store.append_log(id, &line).await {
            tracing::warn!(job = %id, error = %e, "cannot record a job log line");
        }
    }
}

/// Tells long-running loops (workers, the scheduler) to stop.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

/// Stops every [`Stop`] it made, when called or dropped.
pub struct StopHandle(watch::Sender<bool>);

/// A stop signal and its handle.
pub fn stop_signal() -> (StopHandle, Stop) {
    let (tx, rx) = watch::channel(false);
    (StopHandle(tx), Stop(rx))
}

impl StopHandle {
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

impl Stop {
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow() || self.0.has_changed().is_err()
    }

    /// Resolves once stopped.
    pub async fn wait(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                return;
            }
        }
    }
}

/// A process-unique name for a worker or scheduler candidate (`host-pid-random`).
pub fn holder_name(role: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "maestro".into());
    let short = Uuid::now_v7().simple().to_string();
    format!(
        "{role}-{host}-{}-{}",
        std::process::id(),
        &short[short.len() - 6..]
    )
}
