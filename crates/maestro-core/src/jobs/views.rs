//! The JSON jobs and schedules are returned as, who may see or change them, and the live
//! events they publish (addressed to their owner; administrators see every event).

use chrono::{DateTime, Utc};
use maestro_model::Role;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::model::{JobRecord, LogLine, ScheduleRecord};
use crate::caller::{Caller, Principal, PrincipalKind};
use crate::events::{Audience, Event};

/// The caller's role on something `owner` owns: a user's own, a team's by membership.
pub fn role_on(caller: &Caller, owner: &Principal) -> Option<Role> {
    if caller.admin {
        return Some(Role::Admin);
    }
    match owner.kind {
        PrincipalKind::User if caller.user.is_some_and(|u| u.uuid() == owner.id) => {
            Some(Role::Admin)
        }
        PrincipalKind::Team => caller
            .teams
            .iter()
            .find(|(t, _)| t.uuid() == owner.id)
            .map(|(_, r)| *r),
        _ => None,
    }
}

/// Owners whose jobs and schedules the caller sees (None: all).
pub fn visible_owners(caller: &Caller) -> Option<Vec<Uuid>> {
    caller.access().principals_for(Role::Read)
}

fn owner_json(owner: &Principal, name: Option<&str>) -> Value {
    let mut v = json!({"kind": owner.kind.as_str(), "id": owner.id});
    if let Some(n) = name {
        v["name"] = json!(n);
    }
    v
}

/// A job, with its log lines when given.
pub fn job_view(j: &JobRecord, logs: Option<&[LogLine]>) -> Value {
    let mut v = json!({
        "id": j.id,
        "name": j.name,
        "module": j.module,
        "status": j.status.as_str(),
        "progress": j.progress,
        "attempt": j.attempt,
        "max_attempts": j.max_attempts,
        "schedule": j.schedule,
        "owner": owner_json(&j.owner, None),
        "params": super::sealed::masked(&j.params),
        "result": j.result,
        "error": j.error,
        "cancel_requested": j.cancel_requested,
        "run_at": j.run_at,
        "scheduled_for": j.scheduled_for,
        "lease_until": j.lease_until,
        "created_at": j.created_at,
        "started_at": j.started_at,
        "finished_at": j.finished_at,
        "updated_at": j.updated_at,
    });
    if let Some(lines) = logs {
        v["logs"] = json!(lines);
    }
    v
}

/// The fields a user sets on a schedule (what `PATCH` merges into), module fields top-level.
pub fn schedule_fields(s: &ScheduleRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    m.insert("enabled".into(), json!(s.enabled));
    m.insert("module".into(), json!(s.module));
    for (k, v) in &s.spec {
        if k == "params" {
            if let Value::Object(p) = v {
                m.extend(p.clone());
            }
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    m.insert("max_executions".into(), json!(s.max_executions));
    m
}

pub fn schedule_view(s: &ScheduleRecord) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.extend(schedule_fields(s));
    for (k, v) in [
        ("run_count", json!(s.run_count)),
        ("last_run_at", json!(s.last_run_at)),
        ("last_status", json!(s.last_status)),
        ("last_error", json!(s.last_error)),
        ("last_job", json!(s.last_job)),
        // A disabled schedule has no next run, whatever it would be once enabled again.
        ("next_run_at", json!(s.next_run_at.filter(|_| s.enabled))),
        ("owner", owner_json(&s.owner, s.owner_name.as_deref())),
        ("created_at", json!(s.created_at)),
        ("updated_at", json!(s.updated_at)),
    ] {
        m.insert(k.into(), v);
    }
    super::sealed::masked(&Value::Object(m))
}

fn audience(owner: &Principal) -> Audience {
    Audience::Principals(vec![owner.id])
}

/// `job.status` (queued, running, retry, end) or `job.progress`.
pub fn job_event(kind: &str, j: &JobRecord, at: DateTime<Utc>) -> Event {
    Event {
        id: Uuid::now_v7(),
        at,
        kind: kind.into(),
        data: json!({"id": j.id, "name": j.name, "module": j.module, "status": j.status.as_str(),
            "progress": j.progress, "attempt": j.attempt, "schedule": j.schedule, "error": j.error,
            "cancel_requested": j.cancel_requested}),
        audience: audience(&j.owner),
    }
}

/// `schedule.created`, `schedule.updated`, `schedule.deleted` or `schedule.run`.
pub fn schedule_event(
    kind: &str,
    s: &ScheduleRecord,
    at: DateTime<Utc>,
    job: Option<&JobRecord>,
) -> Event {
    Event {
        id: Uuid::now_v7(),
        at,
        kind: kind.into(),
        data: json!({"id": s.id, "name": s.name, "enabled": s.enabled, "module": s.module,
            "run_count": s.run_count, "last_run_at": s.last_run_at, "last_status": s.last_status,
            "last_error": s.last_error, "next_run_at": s.next_run_at, "job": job.map(|j| j.id)}),
        audience: audience(&s.owner),
    }
}
