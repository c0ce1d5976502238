//! Schedules as users see them: create, read, list, patch (JSON merge patch, then the whole
//! schedule is checked again), delete, run now, history. Owned by their creator or a team;
//! readers see them, writers change them, admins delete them, others get a 404.

use std::collections::HashSet;

use maestro_model::diff::diff;
use maestro_model::patch::merge_patch;
use maestro_model::query::PageRequest;
use maestro_model::{FieldError, Role};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::model::{ScheduleId, ScheduleRecord};
use super::spec::{ChainLink, Spec, chain_of};
use super::views::{
    job_event, job_view, role_on, schedule_event, schedule_fields, schedule_view, visible_owners,
};
use super::{Jobs, sealed};
use crate::caller::Principal;
use crate::ports::ChangeRecord;
use crate::{Caller, CoreError, CoreResult, Page};

/// Fields of the trigger: setting one kind in a patch drops the other.
const INTERVAL_KEYS: &[&str] = &["interval"];
const CRON_KEYS: &[&str] = &["cron", "timezone"];

fn body_object(body: &Value) -> CoreResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| CoreError::invalid("body", "must be a JSON object"))
}

fn trigger_fields(m: &Map<String, Value>) -> Vec<Option<&Value>> {
    ["interval", "cron", "timezone"]
        .iter()
        .map(|k| m.get(*k))
        .collect()
}

impl Jobs {
    fn change(&self, caller: &Caller, id: ScheduleId, op: &str, changes: Value) -> ChangeRecord {
        ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: "schedule".into(),
            subject_id: id.to_string(),
            at: self.now(),
            actor_id: caller.user.map(|u| u.uuid()),
            actor_name: caller.name.clone(),
            source: caller.source.as_str().into(),
            op: op.into(),
            changes,
            context: None,
        }
    }

    /// The schedule if the caller may read it (404 otherwise), with their role on it.
    pub async fn visible_schedule(
        &self,
        caller: &Caller,
        id: ScheduleId,
    ) -> CoreResult<(ScheduleRecord, Role)> {
        let s = self.store.schedule(id).await?;
        s.and_then(|s| role_on(caller, &s.owner).map(|r| (s, r)))
            .ok_or_else(|| CoreError::not_found(format!("schedule {id}")))
    }

    /// Chained schedules must exist, be writable by the caller, and not lead back to `me`.
    async fn check_chain(
        &self,
        caller: &Caller,
        me: Option<ScheduleId>,
        chain: &[ChainLink],
    ) -> CoreResult<Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut seen: HashSet<ScheduleId> = HashSet::new();
        let mut todo: Vec<ScheduleId> = Vec::new();
        for (i, link) in chain.iter().enumerate() {
            let target = self.store.schedule(link.schedule).await?;
            match target.as_ref().and_then(|t| role_on(caller, &t.owner)) {
                None => errors.push(FieldError::new(
                    format!("chain[{i}].schedule"),
                    "no such schedule",
                )),
                Some(r) if r < Role::Write => errors.push(FieldError::new(
                    format!("chain[{i}].schedule"),
                    "you need the write role on a schedule to chain it",
                )),
                Some(_) if Some(link.schedule) == me => errors.push(FieldError::new(
                    format!("chain[{i}].schedule"),
                    "a schedule cannot chain itself",
                )),
                Some(_) => todo.push(link.schedule),
            }
        }
        // A cycle through other schedules would run forever.
        while let Some(id) = todo.pop() {
            if !seen.insert(id) || seen.len() > 200 {
                continue;
            }
            if let Some(s) = self.store.schedule(id).await? {
                for link in chain_of(&s.spec) {
                    if Some(link.schedule) == me {
                        errors.push(FieldError::new(
                            "chain",
                            format!("would loop back here through schedule {}", s.name),
                        ));
                        return Ok(errors);
                    }
                    todo.push(link.schedule);
                }
            }
        }
        Ok(errors)
    }

    /// The owner a schedule's module gives it, if its module decides (see `JobModule::owner`).
    async fn module_owner(&self, spec: &Spec) -> Option<(Principal, &'static str)> {
        let module = self.registry.get(&spec.module)?;
        module.owner(&self.core, &spec.params).await
    }

    /// `POST /schedules`.
    pub async fn create_schedule(&self, caller: &Caller, body: &Value) -> CoreResult<Value> {
        let body = body_object(body)?;
        let spec = self
            .read_spec(caller, body, true)
            .await
            .map_err(CoreError::Invalid)?;
        let mut errors = self.check_chain(caller, None, &spec.chain).await?;
        let decided = self.module_owner(&spec).await;
        // A team that no longer exists owns nothing new: others are refused by their role in
        // it below, administrators (who have every role) here.
        if let Some(team) = spec.team
            && decided.is_none()
            && caller.admin
            && !self.core.store.team(team).await?.is_some_and(|t| t.active)
        {
            errors.push(FieldError::new("team", "no such team"));
        }
        let owner = match spec.team {
            _ if decided.is_some() => decided.map(|(o, _)| o).unwrap_or_else(|| caller.owner()),
            Some(team) if caller.team_role(team).is_some_and(|r| r >= Role::Write) => {
                Principal::team(team)
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "team",
                    "you need the write role in this team",
                ));
                caller.owner()
            }
            None => caller.owner(),
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let now = self.now();
        let next = if spec.run_immediately {
            Some(now)
        } else {
            spec.trigger.first_run(now)
        };
        let rec = ScheduleRecord {
            id: ScheduleId::new(),
            name: spec.name.clone(),
            enabled: spec.enabled,
            module: spec.module.clone(),
            owner,
            owner_name: None,
            spec: spec.stored(),
            max_executions: spec.max_executions,
            run_count: 0,
            next_run_at: next,
            last_run_at: None,
            last_status: None,
            last_error: None,
            last_job: None,
            revision: 1,
            created_at: now,
            updated_at: now,
        };
        let fields = schedule_fields(&rec);
        let change = self.change(caller, rec.id, "create", masked_diff(&Map::new(), &fields));
        self.store.insert_schedule(&rec, &change).await?;
        self.publish(schedule_event("schedule.created", &rec, now, None));
        self.get_schedule(caller, rec.id).await
    }

    /// `GET /schedules/{id}`.
    pub async fn get_schedule(&self, caller: &Caller, id: ScheduleId) -> CoreResult<Value> {
        Ok(schedule_view(&self.visible_schedule(caller, id).await?.0))
    }

    /// `GET /schedules?q=…`: by name.
    pub async fn list_schedules(
        &self,
        caller: &Caller,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        let mut q = None;
        for (k, v) in pairs {
            match k.as_str() {
                "page" | "limit" => {}
                "q" => q = Some(v.as_str()),
                other => errors.push(FieldError::new(
                    other,
                    "unknown parameter (use page, limit, q)",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let owners = visible_owners(caller);
        let (items, total) = self
            .store
            .list_schedules(owners.as_deref(), q, page)
            .await?;
        Ok(Page {
            items: items.iter().map(schedule_view).collect(),
            total,
            page: page.page,
            limit: page.limit,
        })
    }

    /// `PATCH /schedules/{id}`: a JSON merge patch of the fields `GET` shows. Setting
    /// `interval` drops `cron` and `timezone`, and the other way round.
    pub async fn update_schedule(
        &self,
        caller: &Caller,
        id: ScheduleId,
        patch: &Value,
    ) -> CoreResult<Value> {
        let patch = body_object(patch)?;
        let (old, role) = self.visible_schedule(caller, id).await?;
        if role < Role::Write {
            return Err(CoreError::Forbidden(
                "you need the write role to change this schedule".into(),
            ));
        }
        let old_fields = schedule_fields(&old);
        let mut patch = patch.clone();
        sealed::keep_masked(&mut patch, &old_fields);
        let mut base = old_fields.clone();
        let sets = |keys: &[&str]| {
            keys.iter()
                .any(|k| patch.get(*k).is_some_and(|v| !v.is_null()))
        };
        if sets(INTERVAL_KEYS) {
            CRON_KEYS.iter().for_each(|k| drop(base.remove(*k)));
        } else if sets(&["cron"]) {
            INTERVAL_KEYS.iter().for_each(|k| drop(base.remove(*k)));
        }
        let mut merged = Value::Object(base);
        merge_patch(&mut merged, &Value::Object(patch.clone()));
        let merged = merged.as_object().cloned().unwrap_or_default();
        let spec: Spec = self
            .read_spec(caller, &merged, false)
            .await
            .map_err(CoreError::Invalid)?;
        let errors = self.check_chain(caller, Some(id), &spec.chain).await?;
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let now = self.now();
        if let Some((owner, field)) = self.module_owner(&spec).await
            && owner != old.owner
        {
            return Err(CoreError::Invalid(vec![FieldError::new(
                field,
                "belongs to another owner than this schedule: create a schedule for it instead",
            )]));
        }
        let mut rec = old.clone();
        rec.name = spec.name.clone();
        rec.enabled = spec.enabled;
        rec.module = spec.module.clone();
        let mut stored = Value::Object(spec.stored());
        let before = Value::Object(old.spec.clone());
        // Secrets kept for a request that now goes elsewhere would be handed to whoever runs
        // the new host: a changed destination takes them again (as a connection's endpoint).
        if origin(&stored["params"]["url"]) != origin(&before["params"]["url"])
            && sealed::keeps_sealed(&stored, &before)
        {
            return Err(CoreError::Invalid(vec![FieldError::new(
                "headers",
                "the URL now points to another host: give the header values again (the stored \
                 ones were set for the old one)",
            )]));
        }
        self.core.keep_unchanged_secrets(&mut stored, &before);
        rec.spec = match stored {
            Value::Object(m) => m,
            _ => spec.stored(),
        };
        rec.max_executions = spec.max_executions;
        let trigger_changed = trigger_fields(&old.spec) != trigger_fields(&rec.spec);
        let mut next = if spec.run_immediately {
            Some(now)
        } else if trigger_changed || (rec.enabled && !old.enabled) {
            spec.trigger.first_run(now)
        } else {
            old.next_run_at
        };
        let exhausted = rec.max_executions > 0 && rec.run_count >= rec.max_executions;
        if exhausted {
            next = None;
        } else if next.is_none() {
            next = spec.trigger.first_run(now);
        }
        rec.next_run_at = next;
        let new_fields = schedule_fields(&rec);
        let reschedule = rec.next_run_at != old.next_run_at;
        if new_fields == old_fields && !reschedule {
            return Ok(schedule_view(&old));
        }
        rec.revision = old.revision + 1;
        rec.updated_at = now;
        let change = self.change(caller, id, "update", masked_diff(&old_fields, &new_fields));
        self.store
            .update_schedule(&rec, reschedule, &change)
            .await?;
        self.publish(schedule_event("schedule.updated", &rec, now, None));
        self.get_schedule(caller, id).await
    }

    /// `DELETE /schedules/{id}`: its queued jobs are cancelled; past jobs stay.
    pub async fn delete_schedule(&self, caller: &Caller, id: ScheduleId) -> CoreResult<()> {
        let (old, role) = self.visible_schedule(caller, id).await?;
        if role < Role::Admin {
            return Err(CoreError::Forbidden(
                "you need the admin role to delete this schedule".into(),
            ));
        }
        let change = self.change(
            caller,
            id,
            "delete",
            masked_diff(&schedule_fields(&old), &Map::new()),
        );
        if self.store.delete_schedule(id, &change).await? {
            self.publish(schedule_event("schedule.deleted", &old, self.now(), None));
        }
        Ok(())
    }

    /// `POST /schedules/{id}/run`: queues a run now (not counted against `max_executions`).
    pub async fn run_schedule(&self, caller: &Caller, id: ScheduleId) -> CoreResult<Value> {
        let (s, role) = self.visible_schedule(caller, id).await?;
        if role < Role::Write {
            return Err(CoreError::Forbidden(
                "you need the write role to run this schedule".into(),
            ));
        }
        let now = self.now();
        let job = self.job_for_schedule(&s, now, None);
        self.store.insert_jobs(std::slice::from_ref(&job)).await?;
        self.publish(job_event("job.status", &job, now));
        Ok(job_view(&job, None))
    }

    /// `GET /schedules/{id}/history`.
    pub async fn schedule_history(
        &self,
        caller: &Caller,
        id: ScheduleId,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        self.visible_schedule(caller, id).await?;
        self.core
            .subject_history("schedule", &id.to_string(), pairs)
            .await
    }
}

/// The history's diff of a schedule's fields: a secret that changed reads `"***"` on both sides.
fn masked_diff(old: &Map<String, Value>, new: &Map<String, Value>) -> Value {
    let mark = |m: &Map<String, Value>| match sealed::marked(&Value::Object(m.clone())) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut changes = json!(diff(&mark(old), &mark(new)));
    sealed::unmark(&mut changes);
    changes
}

/// Scheme, host and port of a URL parameter (`None` when there is none).
fn origin(url: &Value) -> Option<(String, String, Option<u16>)> {
    let url = reqwest::Url::parse(url.as_str()?).ok()?;
    Some((
        url.scheme().to_owned(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default(),
    ))
}
