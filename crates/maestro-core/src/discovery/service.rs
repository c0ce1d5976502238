//! Discovery as people drive it: "sync now" (answered by a sync already under way for the same
//! tasks, if any), each task's status and switch, and what creating a connection starts: one
//! sync of every task at once, then one schedule per task at the original's default intervals
//! (editable like any schedule).

use std::sync::Arc;

use async_trait::async_trait;
use maestro_discovery::TaskInfo;
use maestro_model::schema::{Collection, Kind};
use maestro_model::{EntityId, FieldError, Role};
use serde_json::{Map, Value, json};

use super::Discovery;
use super::module::DiscoveryModule;
use crate::caller::{Caller, PrincipalKind};
use crate::events::WriteHook;
use crate::jobs::model::JobFilter;
use crate::jobs::trigger::{Trigger, parse_interval};
use crate::jobs::{JobStatus, Jobs, NewJob, RetryPolicy};
use crate::ports::{EntityRecord, TaskStatus};
use crate::{CoreError, CoreResult, Source};

/// Discovery wired to the jobs service.
#[derive(Clone)]
pub struct DiscoveryService {
    pub discovery: Discovery,
    pub jobs: Jobs,
}

/// Starts a connection's first sync and creates (or re-enables) its schedules when it is created
/// or restored; disables them when it is deleted; keeps their names and switches in line with
/// it when it changes (renamed, disabled or enabled again).
struct ConnectionHook(DiscoveryService);

#[async_trait]
impl WriteHook for ConnectionHook {
    async fn after(&self, op: &str, record: &EntityRecord) {
        if record.kind != Kind::Connection {
            return;
        }
        let result = match op {
            "created" | "restored" => self.0.first_sync(record).await,
            // A deleted connection does not sync: its schedules go off with it.
            "deleted" | "updated" => self.0.align_schedules(record).await,
            _ => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(connection = %record.id, error = %e, "cannot update the connection's schedules");
        }
    }
}

/// The caller that owns what is created for a connection's owner.
fn owner_caller(rec: &EntityRecord) -> Caller {
    let mut caller = Caller::system(Source::System);
    caller.name = format!("Discovery: {}", rec.name);
    match rec.owner.kind {
        PrincipalKind::User => caller.user = Some(maestro_model::UserId::from_uuid(rec.owner.id)),
        PrincipalKind::Team => {
            caller.acting_team = Some(maestro_model::TeamId::from_uuid(rec.owner.id))
        }
        _ => {}
    }
    caller
}

/// Whether a task's schedule runs: while both its connection syncs and the task is switched on.
fn schedule_on(rec: &EntityRecord, status: &TaskStatus) -> bool {
    status.enabled && super::sync::not_syncing(rec).is_none()
}

/// A task's interval for new schedules: the administrators' choice in
/// `scheduler_options.discovery_intervals` (checked when saved, checked again here: a value
/// saved before the check, or by hand, falls back), else the provider's default.
fn default_interval(configured: Option<&Value>, info: &TaskInfo) -> Value {
    let chosen = configured
        .and_then(|o| o.get("discovery_intervals"))
        .and_then(|m| m.get(info.name));
    if let Some(v) = chosen
        && let Some(Trigger::Interval { every, period }) = parse_interval(v, &mut Vec::new())
    {
        return json!({"every": every, "period": period.as_str()});
    }
    interval(info.default_every_seconds)
}

/// `{every, period}` for a default interval in seconds.
fn interval(seconds: u64) -> Value {
    match seconds {
        s if s % 86_400 == 0 => json!({"every": s / 86_400, "period": "days"}),
        s if s % 3_600 == 0 => json!({"every": s / 3_600, "period": "hours"}),
        s if s % 60 == 0 => json!({"every": s / 60, "period": "minutes"}),
        s => json!({"every": s, "period": "seconds"}),
    }
}

impl DiscoveryService {
    /// Registers the `discovery` job module and the connection hook.
    pub fn new(discovery: Discovery, jobs: Jobs) -> Self {
        let service = Self {
            discovery: discovery.clone(),
            jobs: jobs.clone(),
        };
        jobs.register(Arc::new(DiscoveryModule {
            discovery: discovery.clone(),
        }));
        discovery
            .core
            .add_hook(Arc::new(ConnectionHook(service.clone())));
        service
    }

    async fn scheduler_options(&self) -> CoreResult<Option<Value>> {
        Ok(self
            .discovery
            .core
            .store
            .setting("scheduler_options")
            .await?)
    }

    async fn connection(
        &self,
        caller: &Caller,
        id: EntityId,
        needed: Role,
    ) -> CoreResult<EntityRecord> {
        let core = &self.discovery.core;
        if needed == Role::Read {
            core.readable(caller, Collection::Connections, id).await
        } else {
            core.writable(caller, Collection::Connections, id, needed)
                .await
        }
    }

    fn provider_of(rec: &EntityRecord) -> String {
        rec.data
            .get("provider")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// `POST /connections/{id}/sync {task?}`: queues a sync, or returns the one already queued
    /// or running for this connection that covers the same tasks.
    pub async fn sync_now(
        &self,
        caller: &Caller,
        id: EntityId,
        body: &Value,
    ) -> CoreResult<(Value, bool)> {
        let rec = self.connection(caller, id, Role::Write).await?;
        if let Some(why) = super::sync::not_syncing(&rec) {
            return Err(CoreError::Conflict(why.into()));
        }
        // The body is `{}` or `{"task": "server-list"}`; a misspelt key must not sync everything.
        let Some(body) = body.as_object() else {
            return Err(CoreError::BadRequest(
                "the body must be a JSON object: {} or {\"task\": \"server-list\"}".into(),
            ));
        };
        let unknown: Vec<FieldError> = body
            .keys()
            .filter(|k| *k != "task")
            .map(|k| FieldError::new(k.as_str(), "unknown field; a sync takes only task"))
            .collect();
        if !unknown.is_empty() {
            return Err(CoreError::Invalid(unknown));
        }
        let task = match body.get("task") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => return Err(CoreError::invalid("task", "must be a task name")),
        };
        let tasks = self.discovery.tasks(&Self::provider_of(&rec));
        if let Some(t) = &task
            && !tasks.iter().any(|i| i.name == t)
        {
            return Err(CoreError::invalid(
                "task",
                format!(
                    "unknown task; one of: {}",
                    tasks.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if let Some(t) = &task
            && !self.status(id, t).await?.enabled
        {
            return Err(CoreError::Conflict(format!(
                "the task {t} is switched off: switch it on to sync it"
            )));
        }
        if let Some(pending) = self.pending_sync(id, task.as_deref()).await? {
            return Ok((crate::jobs::views::job_view(&pending, None), false));
        }
        let job = self.queue_sync(&rec, task).await?;
        Ok((job, true))
    }

    /// A sync of the connection queued or running that lists what is asked (every task, or
    /// `task`); a scheduled run of one task does not stand in for a whole sync. Listings of one
    /// scope may overlap: each closes it by time, so neither deactivates what the other saw.
    async fn pending_sync(
        &self,
        id: EntityId,
        task: Option<&str>,
    ) -> CoreResult<Option<crate::jobs::JobRecord>> {
        let filter = JobFilter {
            owners: None,
            statuses: vec![JobStatus::Queued, JobStatus::Running],
            module: Some("discovery".into()),
            schedule: None,
        };
        let page = maestro_model::query::PageRequest {
            page: 1,
            limit: 500,
        };
        let (active, _) = self.jobs.store.list_jobs(&filter, page).await?;
        Ok(active.into_iter().find(|j| {
            j.params["connection"] == json!(id)
                && (j.params["task"].is_null() || j.params["task"].as_str() == task)
        }))
    }

    /// Queues a sync of `rec` (every enabled task, or `task`), owned like the connection (as its schedules and their runs are):
    /// whoever shares the connection's owner — its team — follows every sync of it, whoever
    /// asked for it.
    async fn queue_sync(&self, rec: &EntityRecord, task: Option<String>) -> CoreResult<Value> {
        let new = NewJob {
            name: format!(
                "sync {}{}",
                rec.name,
                task.as_ref().map(|t| format!(" ({t})")).unwrap_or_default()
            ),
            module: "discovery".into(),
            owner: owner_caller(rec).owner(),
            params: json!({"connection": rec.id, "task": task}),
            policy: RetryPolicy {
                max_attempts: 1,
                backoff_seconds: 30,
            },
        };
        let now = self.jobs.now();
        let jobs = self
            .jobs
            .enqueue(vec![self.jobs.job_record(new, None, now, None)])
            .await?;
        Ok(jobs
            .first()
            .map(|j| crate::jobs::views::job_view(j, None))
            .unwrap_or_default())
    }

    /// `GET /discovery/providers`: each provider's tasks with the permissions they need and the
    /// interval their new schedules get (`default_interval`: the administrators' choice, else
    /// the built-in `default_every_seconds`), and for AWS the read-only IAM policy.
    pub async fn providers(&self) -> CoreResult<Vec<Value>> {
        let configured = self.scheduler_options().await?;
        let mut items = Vec::new();
        for provider in ["aws", "openstack"] {
            let tasks = self.discovery.tasks(provider);
            if tasks.is_empty() {
                continue;
            }
            let policy = (provider == "aws").then(|| super::iam_policy(tasks));
            let tasks: Vec<Value> = tasks
                .iter()
                .map(|info| {
                    json!({
                        "name": info.name,
                        "label": info.label,
                        "permissions": info.permissions,
                        "default_every_seconds": info.default_every_seconds,
                        "default_interval": default_interval(configured.as_ref(), info),
                    })
                })
                .collect();
            items.push(json!({"provider": provider, "tasks": tasks, "iam_policy": policy}));
        }
        Ok(items)
    }

    /// `GET /connections/{id}/tasks`: every task of the provider with its status and switch.
    pub async fn tasks(&self, caller: &Caller, id: EntityId) -> CoreResult<Value> {
        let rec = self.connection(caller, id, Role::Read).await?;
        let statuses = self.discovery.core.store.task_statuses(id).await?;
        let configured = self.scheduler_options().await?;
        let items: Vec<Value> = self
            .discovery
            .tasks(&Self::provider_of(&rec))
            .iter()
            .map(|info| {
                let status = statuses.iter().find(|s| s.task == info.name);
                json!({
                    "task": info.name,
                    "label": info.label,
                    "permissions": info.permissions,
                    "default_interval": default_interval(configured.as_ref(), info),
                    "enabled": status.is_none_or(|s| s.enabled),
                    "state": status.map_or("never", |s| s.state.as_str()),
                    "message": status.and_then(|s| s.message.clone()),
                    "permission": status.and_then(|s| s.permission.clone()),
                    "counts": status.map_or(json!({}), |s| s.counts.clone()),
                    "started_at": status.and_then(|s| s.started_at),
                    "finished_at": status.and_then(|s| s.finished_at),
                    "duration_ms": status.and_then(|s| s.duration_ms),
                    "schedule": status.and_then(|s| s.schedule_id.clone()),
                })
            })
            .collect();
        let total = items.len();
        Ok(json!({"items": items, "total": total, "page": 1, "limit": total.max(1)}))
    }

    /// `PATCH /connections/{id}/tasks/{task} {enabled}`: switches a task (and its schedule).
    pub async fn update_task(
        &self,
        caller: &Caller,
        id: EntityId,
        task: &str,
        body: &Value,
    ) -> CoreResult<Value> {
        let rec = self.connection(caller, id, Role::Write).await?;
        if !rec.active {
            return Err(CoreError::Conflict(
                "the connection is deleted: restore it before changing its tasks".into(),
            ));
        }
        // Unknown keys first: `{"interval": …}` is a misplaced schedule change, not a bad switch.
        let unknown: Vec<FieldError> = body
            .as_object()
            .into_iter()
            .flat_map(Map::keys)
            .filter(|k| *k != "enabled")
            .map(|k| {
                FieldError::new(
                    k.as_str(),
                    "unknown field; a task takes only enabled (its schedule is edited on /schedules)",
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(CoreError::Invalid(unknown));
        }
        let Some(enabled) = body.get("enabled").and_then(Value::as_bool) else {
            return Err(CoreError::Invalid(vec![FieldError::new(
                "enabled",
                "must be true or false",
            )]));
        };
        if !self
            .discovery
            .tasks(&Self::provider_of(&rec))
            .iter()
            .any(|t| t.name == task)
        {
            return Err(CoreError::not_found(format!("task {task}")));
        }
        let mut status = self.status(id, task).await?;
        status.enabled = enabled;
        self.discovery
            .core
            .store
            .put_task_status(id, &status)
            .await?;
        if let Some(sid) = status.schedule_id.as_deref().and_then(|s| s.parse().ok()) {
            // Recorded as the person's change: the switch was theirs.
            self.jobs
                .update_schedule(
                    &Caller::system_for(caller),
                    sid,
                    &json!({"enabled": schedule_on(&rec, &status)}),
                )
                .await?;
        }
        self.tasks(caller, id).await
    }

    async fn status(&self, id: EntityId, task: &str) -> CoreResult<TaskStatus> {
        Ok(self
            .discovery
            .core
            .store
            .task_statuses(id)
            .await?
            .into_iter()
            .find(|s| s.task == task)
            .unwrap_or_else(|| TaskStatus::never(task)))
    }

    /// A new (or restored) connection's schedules, and one sync of every task queued at once: a
    /// single job to follow (one per task filled the workers, each retried, when the endpoint
    /// was wrong); the schedules take over one interval later.
    async fn first_sync(&self, rec: &EntityRecord) -> CoreResult<()> {
        self.ensure_schedules(rec).await?;
        self.align_schedules(rec).await?;
        if super::sync::not_syncing(rec).is_none()
            && self.pending_sync(rec.id, None).await?.is_none()
        {
            self.queue_sync(rec, None).await?;
        }
        Ok(())
    }

    /// One schedule per task at its default interval, owned like the connection, for the tasks
    /// without one (those that have one are put in line by `align_schedules`).
    async fn ensure_schedules(&self, rec: &EntityRecord) -> CoreResult<()> {
        let owner = owner_caller(rec);
        let configured = self.scheduler_options().await?;
        for info in self.discovery.tasks(&Self::provider_of(rec)) {
            let mut status = self.status(rec.id, info.name).await?;
            if status.schedule_id.is_some() {
                continue;
            }
            let mut body = json!({
                "name": Self::schedule_name(&rec.name, info.name),
                "module": "discovery",
                "enabled": schedule_on(rec, &status),
                "interval": default_interval(configured.as_ref(), info),
                "connection": rec.id,
                "task": info.name,
            });
            if let Some(team) = owner.acting_team {
                body["team"] = json!(team);
            }
            let created = self.jobs.create_schedule(&owner, &body).await?;
            status.schedule_id = created["id"].as_str().map(str::to_owned);
            // Its first run may already be writing the task's status.
            self.discovery
                .core
                .store
                .put_task_schedule(rec.id, &status)
                .await?;
        }
        Ok(())
    }

    /// A schedule's name as discovery gives it, within a schedule name's 120 characters (a
    /// connection's name may be longer: it is cut).
    fn schedule_name(connection: &str, task: &str) -> String {
        let room = 120 - "discovery: ".len() - " — ".chars().count() - task.chars().count();
        let connection: String = connection.chars().take(room).collect();
        format!("discovery: {connection} — {task}")
    }

    /// Schedules in line with their connection after a change: named after it (unless a
    /// person renamed one) and running only while both it and their task are switched on.
    async fn align_schedules(&self, rec: &EntityRecord) -> CoreResult<()> {
        let system = Caller::system(Source::System);
        for status in self.discovery.core.store.task_statuses(rec.id).await? {
            let Some(sid) = status.schedule_id.as_deref().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let current = self.jobs.get_schedule(&system, sid).await?;
            let mut patch = serde_json::Map::new();
            let wanted = Self::schedule_name(&rec.name, &status.task);
            let name = current["name"].as_str().unwrap_or_default();
            let ours =
                name.starts_with("discovery: ") && name.ends_with(&format!(" — {}", status.task));
            if ours && name != wanted {
                patch.insert("name".into(), json!(wanted));
            }
            let enabled = schedule_on(rec, &status);
            if current["enabled"].as_bool() != Some(enabled) {
                patch.insert("enabled".into(), json!(enabled));
            }
            if !patch.is_empty() {
                self.jobs
                    .update_schedule(&system, sid, &Value::Object(patch))
                    .await?;
            }
        }
        Ok(())
    }
}
