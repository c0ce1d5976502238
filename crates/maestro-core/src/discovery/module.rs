//! The `discovery` job module: a schedule or a "sync now" runs one connection's task (or all
//! its enabled tasks) as a durable job, with progress and log lines from the sync.

use std::time::Duration;

use async_trait::async_trait;
use maestro_model::schema::Collection;
use maestro_model::{EntityId, FieldError, Role};
use serde_json::{Map, Value, json};

use super::{Discovery, SyncReporter};
use crate::caller::{Access, Principal};
use crate::jobs::{JobContext, JobError, JobModule};
use crate::ports::TaskStatus;
use crate::{Caller, Core};

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
        core: &Core,
        caller: &Caller,
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
        // A schedule syncs as the connection: only someone who may change the connection may
        // schedule it. Missing and out-of-reach connections read alike (nothing to probe).
        let provider = match core
            .writable(caller, Collection::Connections, connection, Role::Write)
            .await
        {
            Ok(rec) => rec.data["provider"].as_str().unwrap_or_default().to_owned(),
            Err(_) => {
                errors.push(FieldError::new(
                    "connection",
                    "must be a connection you can change",
                ));
                return json!({});
            }
        };
        let task = match fields.get("task") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if !t.is_empty() => {
                let tasks = self.discovery.tasks(&provider);
                if !tasks.iter().any(|i| i.name == t) {
                    let names: Vec<&str> = tasks.iter().map(|i| i.name).collect();
                    errors.push(FieldError::new(
                        "task",
                        format!("must be one of {}", names.join(", ")),
                    ));
                }
                Some(t.clone())
            }
            Some(_) => {
                errors.push(FieldError::new("task", "must be a task name"));
                None
            }
        };
        json!({"connection": connection, "task": task})
    }

    async fn owner(&self, core: &Core, params: &Value) -> Option<(Principal, &'static str)> {
        let id: EntityId = params["connection"].as_str()?.parse().ok()?;
        let rec = core.store.entity(&Access::All, id).await.ok()??;
        Some((rec.owner, "connection"))
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
                crate::CoreError::NotFound(m)
                | crate::CoreError::BadRequest(m)
                | crate::CoreError::Conflict(m) => JobError::fatal(m),
                other => JobError::new(other.to_string()),
            })?;
        let result = serde_json::to_value(&report).unwrap_or_default();
        let Some(message) = failure(&report.tasks) else {
            return Ok(result);
        };
        // A missing permission needs a person: fail (the schedule shows why) rather than retry.
        // Any other failure (an unreachable endpoint, expired credentials…) fails the job so it
        // shows — a sync with errored tasks is not a success — but the schedule keeps running:
        // the next run may work. Either way the result keeps every task's state.
        let error = if report.tasks.iter().any(|t| t.permission.is_some()) {
            JobError::fatal(message)
        } else {
            JobError::new(message).keep_schedule()
        };
        Err(error.with_result(result))
    }
}

/// Why a sync failed, if a task did: the first error, and how many of the tasks failed.
fn failure(tasks: &[TaskStatus]) -> Option<String> {
    let failed: Vec<&TaskStatus> = tasks.iter().filter(|t| t.state == "error").collect();
    let first = failed.first()?;
    let how_many = match (failed.len(), tasks.len()) {
        (_, 1) => String::new(),
        (n, total) if n == total => "every task failed; ".to_owned(),
        (n, total) => format!("{n} of {total} tasks failed; "),
    };
    Some(format!(
        "{how_many}{}: {}",
        first.task,
        first.message.as_deref().unwrap_or("error")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(name: &str, state: &str, message: &str) -> TaskStatus {
        TaskStatus {
            state: state.into(),
            message: Some(message.into()),
            ..TaskStatus::never(name)
        }
    }

    #[test]
    fn a_sync_fails_when_a_task_does() {
        let ok = task("server-list", "success", "3 resources");
        let empty = task("cdns-list", "warning", "Empty result");
        let bad = task("dbs-list", "error", "us-east-1: timed out");
        assert_eq!(failure(&[ok.clone(), empty.clone()]), None);
        assert_eq!(
            failure(&[ok.clone(), bad.clone(), empty]).as_deref(),
            Some("1 of 3 tasks failed; dbs-list: us-east-1: timed out")
        );
        assert_eq!(
            failure(&[bad.clone(), bad.clone()]).as_deref(),
            Some("every task failed; dbs-list: us-east-1: timed out")
        );
        assert_eq!(
            failure(&[bad]).as_deref(),
            Some("dbs-list: us-east-1: timed out")
        );
    }
}
