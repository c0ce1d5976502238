//! Job modules: what a job runs. Each module validates its own schedule fields into the job's
//! parameters and runs one attempt. `webhook` and `noop` are built in; discovery and reports
//! register theirs with [`super::Jobs::register`].

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use maestro_model::FieldError;
use serde_json::{Map, Value, json};

use super::Jobs;
use super::model::JobRecord;
use crate::caller::Principal;
use crate::{Caller, Core};

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq)]
pub struct JobError {
    pub message: String,
    /// Whether another attempt may succeed (otherwise the job fails at once).
    pub retry: bool,
    /// Whether the job's schedule stays enabled when this failure is final (the next run may
    /// well succeed: a cloud API that was unreachable).
    pub keep_schedule: bool,
    /// What the job did before failing (a sync's task table), kept as its result.
    pub result: Option<Value>,
}

impl JobError {
    /// A failure worth retrying (network errors, 5xx, timeouts…).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: true,
            keep_schedule: false,
            result: None,
        }
    }

    /// A failure no retry can fix.
    pub fn fatal(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: false,
            keep_schedule: false,
            result: None,
        }
    }

    /// The same failure, leaving the schedule enabled.
    pub fn keep_schedule(mut self) -> Self {
        self.keep_schedule = true;
        self
    }

    /// The same failure, with what the job did before it (recorded as the job's result).
    pub fn with_result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }
}

/// What a module sees while it runs: the job, and ways to report progress and log lines.
pub struct JobContext {
    pub job: JobRecord,
    pub(super) jobs: Jobs,
    pub(super) worker: String,
}

impl JobContext {
    pub fn params(&self) -> &Value {
        &self.job.params
    }

    pub fn core(&self) -> &Core {
        &self.jobs.core
    }

    /// Records progress (0–100) and tells subscribers.
    pub async fn progress(&self, percent: u8) {
        self.jobs
            .report_progress(&self.job, &self.worker, percent.min(100))
            .await;
    }

    /// Appends a log line (`info`, `warn` or `error`).
    pub async fn log(&self, level: &str, message: impl Into<String>) {
        self.jobs.log(self.job.id, level, message.into()).await;
    }
}

/// A kind of job.
#[async_trait]
pub trait JobModule: Send + Sync + 'static {
    /// The name schedules and jobs refer to it by.
    fn name(&self) -> &'static str;
    /// One line for lists and forms.
    fn about(&self) -> &'static str;
    /// The top-level schedule fields it reads.
    fn fields(&self) -> &'static [&'static str];
    /// Validates its fields into the job's parameters, adding every problem to `errors`.
    /// `caller` is who creates or changes the schedule: what the job acts on must be theirs
    /// to change.
    async fn prepare(
        &self,
        core: &Core,
        caller: &Caller,
        fields: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> Value;
    /// Who owns schedules with these parameters — and so their jobs — when not whoever creates
    /// them, with the field that decides it (a discovery sync: its connection's owner, so access
    /// to the schedule follows access to the connection).
    async fn owner(&self, _core: &Core, _params: &Value) -> Option<(Principal, &'static str)> {
        None
    }
    /// How long one attempt with these parameters may run.
    fn timeout(&self, _params: &Value) -> Duration {
        Duration::from_secs(300)
    }
    /// Runs one attempt; the value is the job's result.
    async fn run(&self, ctx: &JobContext) -> Result<Value, JobError>;
}

/// The registered modules; shared by every clone of the service.
#[derive(Clone, Default)]
pub struct Registry {
    modules: Arc<RwLock<BTreeMap<&'static str, Arc<dyn JobModule>>>>,
}

impl Registry {
    pub fn register(&self, module: Arc<dyn JobModule>) {
        if let Ok(mut m) = self.modules.write() {
            m.insert(module.name(), module);
        }
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn JobModule>> {
        self.modules.read().ok()?.get(name).cloned()
    }

    /// Every module: (name, description), by name.
    pub fn list(&self) -> Vec<(&'static str, &'static str)> {
        self.modules
            .read()
            .map(|m| m.values().map(|x| (x.name(), x.about())).collect())
            .unwrap_or_default()
    }
}

/// Does nothing, or waits `sleep_ms` first: for tests, benchmarks and checking the workers.
pub struct Noop;

#[async_trait]
impl JobModule for Noop {
    fn name(&self) -> &'static str {
        "noop"
    }

    fn about(&self) -> &'static str {
        "Does nothing (after sleep_ms milliseconds): checks that workers run jobs"
    }

    fn fields(&self) -> &'static [&'static str] {
        &["sleep_ms"]
    }

    async fn prepare(
        &self,
        _core: &Core,
        _caller: &Caller,
        fields: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> Value {
        match fields.get("sleep_ms") {
            None | Some(Value::Null) => json!({}),
            Some(v) => match v.as_u64() {
                Some(ms @ 0..=600_000) => json!({"sleep_ms": ms}),
                _ => {
                    errors.push(FieldError::new(
                        "sleep_ms",
                        "must be a whole number of milliseconds up to 600000",
                    ));
                    json!({})
                }
            },
        }
    }

    fn timeout(&self, params: &Value) -> Duration {
        Duration::from_millis(params["sleep_ms"].as_u64().unwrap_or(0) + 60_000)
    }

    async fn run(&self, ctx: &JobContext) -> Result<Value, JobError> {
        let ms = ctx.params()["sleep_ms"].as_u64().unwrap_or(0);
        if ms > 0 {
            let steps = 4u64;
            for i in 1..=steps {
                tokio::time::sleep(Duration::from_millis(ms / steps)).await;
                ctx.progress((i * 100 / steps) as u8).await;
            }
        }
        Ok(json!({"ok": true}))
    }
}
