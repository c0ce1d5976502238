//! The `discovery` job module: a schedule or a "sync now" runs one connection's task (or all
//! its enabled tasks) as a durable job, with progress and log lines from the sync.

use std::time::Duration;

use async_trait::async_trait;
use maestro_model::{EntityId, FieldError};
use serde_json::{Map, Value, json};

use super::{Discovery, SyncReporter};
use crate::Core;
use crate::jobs::{JobContext, JobError, JobModule};

pub struct DiscoveryModule {
    pub discovery: Discovery,
}

struct JobReporter<'a>(&'a JobContext);

#[async_trait]
impl SyncReporter for JobReporter<'_> {
    async fn progress(&self, percent: u8) {
        self.0.progress(percent).await;
    }
    async fn log(&self, level: &str, message: String) {
        self.0.log(level, message).await;
    }
}

#[async_trait]
impl JobModule for DiscoveryModule {
    fn name(&self) -> &'static str {
        "discovery"
    }

    fn about(&self) -> &'static str {
        "Lists a connection's cloud resources (one task, or every enabled task) into the inventory"
    }

    fn fields(&self) -> &'static [&'static str] {
        &["connection", "task"]
    }

    async fn prepare(
        &self,
        _core: &Core,
        fields: &Map<String, Value>,
        errors: &mut Vec<FieldError>,
    ) -> Value {
        let connection = fields
            .get("connection")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<EntityId>().ok());
        let Some(connection) = connection else {
            errors.push(FieldError::new("connection", "must be a connection id"));
            return json!({});
        };
        let task = match fields.get("task") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if !t.is_empty() => Some(t.clone()),
            Some(_) => {
                errors.push(FieldError::new("task", "must be a task name"));
                None
            }
        };
        json!({"connection": connection, "task": task})
    }

    fn timeout(&self, _params: &Value) -> Duration {
        Duration::from_secs(3600)
    }

    async fn run(&self, ctx: &JobContext) -> Result<Value, JobError> {
        let connection: EntityId = ctx.params()["connection"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| JobError::fatal("the job names no connection"))?;
        let task = ctx.params()["task"].as_str().map(str::to_owned);
        let report = self
            .discovery
            .sync(connection, task.as_deref(), &JobReporter(ctx))
            .await
            .map_err(|e| match e {
                crate::CoreError::NotFound(m) | crate::CoreError::BadRequest(m) => {
                    JobError::fatal(m)
                }
                other => JobError::new(other.to_string()),
            })?;
        // A missing permission needs a person: fail (the schedule shows why) rather than retry.
        if let Some(t) = report.tasks.iter().find(|t| t.permission.is_some()) {
            return Err(JobError::fatal(
                t.message
                    .clone()
                    .unwrap_or_else(|| format!("{} failed", t.task)),
            ));
        }
        // Every task failed (an unreachable endpoint, expired credentials…): the job fails so
        // it shows, after its retries, but the schedule keeps running — the next run may work.
        if !report.tasks.is_empty() && report.tasks.iter().all(|t| t.state == "error") {
            let first = &report.tasks[0];
            let all = if report.tasks.len() > 1 {
                "every task failed; "
            } else {
                ""
            };
            return Err(JobError::new(format!(
                "{all}{}: {}",
                first.task,
                first.message.as_deref().unwrap_or("error")
            ))
            .keep_schedule());
        }
        Ok(serde_json::to_value(&report).unwrap_or_default())
    }
}
