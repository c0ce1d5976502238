//! The records of jobs and schedules as stored, and what workers and the scheduler report back
//! to storage: outcomes of runs and firings of schedules.

use chrono::{DateTime, Utc};
use maestro_model::Id;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::caller::Principal;
use crate::ports::ChangeRecord;

/// Tags for the job and schedule ids.
pub mod tag {
    pub enum Job {}
    pub enum Schedule {}
}

pub type JobId = Id<tag::Job>;
pub type ScheduleId = Id<tag::Schedule>;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker (first run, or a retry after a failure).
    Queued,
    /// Held by a worker under a lease.
    Running,
    Succeeded,
    /// Every attempt failed (or the job cannot run at all).
    Failed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the job is over (it will never run again).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// A stored job.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub id: JobId,
    pub name: String,
    /// The registered module that runs it (`webhook`, …).
    pub module: String,
    pub owner: Principal,
    /// The schedule that created it, if any.
    pub schedule: Option<ScheduleId>,
    /// The module's input.
    pub params: Value,
    pub status: JobStatus,
    /// 0 to 100.
    pub progress: u8,
    /// Attempts started so far (a claim counts as one).
    pub attempt: u32,
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub backoff_seconds: u32,
    /// How long one attempt may run.
    pub timeout_seconds: u32,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub cancel_requested: bool,
    /// The worker holding it while running.
    pub worker: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    /// When it may run (a retry waits for its backoff).
    pub run_at: DateTime<Utc>,
    /// The schedule's fire time it was created for.
    pub scheduled_for: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One log line of a job.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    /// `info`, `warn` or `error`.
    pub level: String,
    pub message: String,
}

/// What happened to a schedule's job, written with the job's outcome.
#[derive(Debug, Clone)]
pub struct ScheduleOutcome {
    pub schedule: ScheduleId,
    pub job: JobId,
    pub status: JobStatus,
    pub error: Option<String>,
    /// Disable the schedule (its job failed for good).
    pub disable: bool,
    /// The history record of the disabling.
    pub change: Option<ChangeRecord>,
}

/// The end of an attempt, reported by the worker that held the job.
#[derive(Debug, Clone)]
pub struct JobOutcome {
    pub id: JobId,
    /// `Succeeded`, `Failed`, `Cancelled`, or `Queued` for a retry at `run_at`.
    pub status: JobStatus,
    pub progress: u8,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub run_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub schedule: Option<ScheduleOutcome>,
    /// Jobs to enqueue with it (a schedule's chain after a success).
    pub enqueue: Vec<JobRecord>,
}

/// A stored schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRecord {
    pub id: ScheduleId,
    pub name: String,
    pub enabled: bool,
    pub module: String,
    pub owner: Principal,
    /// Filled on reads: the owner's display name.
    pub owner_name: Option<String>,
    /// The validated settings: trigger, module fields, retry policy, chain.
    pub spec: Map<String, Value>,
    /// 0 = unlimited.
    pub max_executions: u64,
    pub run_count: u64,
    /// None once it will not run again (disabled runs keep their next time for display).
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_status: Option<String>,
    pub last_error: Option<String>,
    pub last_job: Option<JobId>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One firing of a schedule: applied only if the schedule is still enabled and still due at
/// `expected_next` (so two schedulers can never both fire the same run).
#[derive(Debug, Clone)]
pub struct Fire {
    pub schedule: ScheduleId,
    pub expected_next: DateTime<Utc>,
    pub run_count: u64,
    pub next_run_at: Option<DateTime<Utc>>,
    pub job: JobRecord,
}

/// Which jobs a list shows.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Owners whose jobs are visible (None = all: administrators).
    pub owners: Option<Vec<Uuid>>,
    pub statuses: Vec<JobStatus>,
    pub module: Option<String>,
    pub schedule: Option<ScheduleId>,
}
