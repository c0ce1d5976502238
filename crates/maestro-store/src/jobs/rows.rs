//! Rows of the jobs, schedules and job log tables, and their conversion into the port's records.

use maestro_core::jobs::model::{JobRecord, JobStatus, LogLine, ScheduleRecord};
use maestro_core::ports::{StoreError, StoreResult};
use maestro_core::{Principal, PrincipalKind};
use maestro_model::Id;
use serde_json::{Map, Value};
use sqlx::types::Json;

use crate::rows::{parse_uuid, time};

/// The columns [`JobRow`] reads.
pub const JOB_COLUMNS: &str = "id, name, module, owner_kind, owner_id, schedule_id, params, status, progress, \
     attempt, max_attempts, backoff_seconds, timeout_seconds, result, error, cancel_requested, worker, \
     lease_until, run_at, scheduled_for, created_at, started_at, finished_at, updated_at";

/// The columns [`ScheduleRow`] reads, for `FROM schedules s` with [`OWNER_JOINS`].
pub const SCHEDULE_COLUMNS: &str = "s.id, s.name, s.enabled, s.module, s.owner_kind, s.owner_id, \
     COALESCE(ou.name, ot.name) AS owner_name, s.spec, s.max_executions, s.run_count, s.next_run_at, \
     s.last_run_at, s.last_status, s.last_error, s.last_job_id, s.revision, s.created_at, s.updated_at";

/// Joins that fill a schedule's `owner_name`.
pub const OWNER_JOINS: &str = " LEFT JOIN users ou ON s.owner_kind = 'user' AND ou.id = s.owner_id \
     LEFT JOIN teams ot ON s.owner_kind = 'team' AND ot.id = s.owner_id";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("corrupt row: bad {what} {value:?}"))
}

fn principal(kind: &str, id: &str) -> StoreResult<Principal> {
    Ok(Principal {
        kind: PrincipalKind::parse(kind).ok_or_else(|| bad("owner kind", kind))?,
        id: parse_uuid(id)?,
    })
}

fn small(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

#[derive(sqlx::FromRow)]
pub struct JobRow {
    id: String,
    name: String,
    module: String,
    owner_kind: String,
    owner_id: String,
    schedule_id: Option<String>,
    params: Json<Value>,
    status: String,
    progress: i64,
    attempt: i64,
    max_attempts: i64,
    backoff_seconds: i64,
    timeout_seconds: i64,
    result: Option<Json<Value>>,
    error: Option<String>,
    cancel_requested: bool,
    worker: Option<String>,
    lease_until: Option<i64>,
    run_at: i64,
    scheduled_for: Option<i64>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;
    fn try_from(r: JobRow) -> StoreResult<Self> {
        Ok(JobRecord {
            id: Id::from_uuid(parse_uuid(&r.id)?),
            status: JobStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            owner: principal(&r.owner_kind, &r.owner_id)?,
            schedule: r
                .schedule_id
                .as_deref()
                .map(parse_uuid)
                .transpose()?
                .map(Id::from_uuid),
            name: r.name,
            module: r.module,
            params: r.params.0,
            progress: r.progress.clamp(0, 100) as u8,
            attempt: small(r.attempt),
            max_attempts: small(r.max_attempts),
            backoff_seconds: small(r.backoff_seconds),
            timeout_seconds: small(r.timeout_seconds),
            result: r.result.map(|j| j.0),
            error: r.error,
            cancel_requested: r.cancel_requested,
            worker: r.worker,
            lease_until: r.lease_until.map(time),
            run_at: time(r.run_at),
            scheduled_for: r.scheduled_for.map(time),
            created_at: time(r.created_at),
            started_at: r.started_at.map(time),
            finished_at: r.finished_at.map(time),
            updated_at: time(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ScheduleRow {
    id: String,
    name: String,
    enabled: bool,
    module: String,
    owner_kind: String,
    owner_id: String,
    owner_name: Option<String>,
    spec: Json<Value>,
    max_executions: i64,
    run_count: i64,
    next_run_at: Option<i64>,
    last_run_at: Option<i64>,
    last_status: Option<String>,
    last_error: Option<String>,
    last_job_id: Option<String>,
    revision: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ScheduleRow> for ScheduleRecord {
    type Error = StoreError;
    fn try_from(r: ScheduleRow) -> StoreResult<Self> {
        let owner = principal(&r.owner_kind, &r.owner_id)?;
        Ok(ScheduleRecord {
            id: Id::from_uuid(parse_uuid(&r.id)?),
            owner_name: match owner.kind {
                PrincipalKind::System => Some("Maestro".into()),
                _ => r.owner_name,
            },
            owner,
            name: r.name,
            enabled: r.enabled,
            module: r.module,
            spec: match r.spec.0 {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            max_executions: r.max_executions.max(0) as u64,
            run_count: r.run_count.max(0) as u64,
            next_run_at: r.next_run_at.map(time),
            last_run_at: r.last_run_at.map(time),
            last_status: r.last_status,
            last_error: r.last_error,
            last_job: r
                .last_job_id
                .as_deref()
                .map(parse_uuid)
                .transpose()?
                .map(Id::from_uuid),
            revision: r.revision,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct LogRow {
    at: i64,
    level: String,
    message: String,
}

impl From<LogRow> for LogLine {
    fn from(r: LogRow) -> Self {
        LogLine {
            at: time(r.at),
            level: r.level,
            message: r.message,
        }
    }
}
