//! A connection's tasks as the page shows them (label, permissions, switch, state with message
//! and time, counts, duration, schedule), the sync state of a whole connection, and the two
//! actions: "Sync" (all tasks or one) and a task's switch.

use axum::extract::{Path, State};
use axum::response::Response;
use maestro_core::jobs::Jobs;
use maestro_core::{Caller, CoreError};
use serde_json::{Value, json};

use super::{Discovery, duration, state_badge};
use crate::WebState;
use crate::chrome::Authed;
use crate::error::WebResult;
use crate::jobs::trigger_text;
use crate::routes::entity_id;
use crate::session::{self, Flash, Form};
use crate::view::when;

/// One row of the task table.
pub struct TaskRow {
    pub task: String,
    pub label: String,
    pub permissions: Vec<String>,
    pub enabled: bool,
    pub state: String,
    pub state_label: &'static str,
    pub class: &'static str,
    pub message: String,
    /// The permission an error says is missing.
    pub permission: String,
    /// When it last finished (or started, while running).
    pub when: String,
    pub counts: String,
    pub duration: String,
    /// The task's schedule: (id, "every 5 minutes").
    pub schedule: Option<(String, String)>,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// `{"observed": 12, "created": 3, …}` → `12 seen · 3 new`.
pub fn counts_text(c: &Value) -> String {
    const SHOWN: [(&str, &str); 6] = [
        ("observed", "seen"),
        ("created", "new"),
        ("updated", "updated"),
        ("reactivated", "back"),
        ("deactivated", "gone"),
        ("skipped", "skipped"),
    ];
    let parts: Vec<String> = SHOWN
        .iter()
        .filter_map(|(k, label)| {
            let n = c[*k].as_u64()?;
            (n > 0 || *k == "observed").then(|| format!("{n} {label}"))
        })
        .collect();
    parts.join(" · ")
}

/// The rows of `tasks` (the discovery service's items); schedules are read to show their
/// current trigger (a schedule the viewer cannot read is not shown).
pub async fn rows(jobs: &Jobs, caller: &Caller, tasks: &[Value]) -> Vec<TaskRow> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        let state = t["state"].as_str().unwrap_or("never").to_owned();
        let (state_label, class) = state_badge(&state);
        // A schedule the viewer cannot read (a reader of the connection) is not linked.
        let schedule = match t["schedule"].as_str().map(|sid| (sid, sid.parse())) {
            Some((sid, Ok(id))) => jobs
                .get_schedule(caller, id)
                .await
                .ok()
                .map(|s| (sid.to_owned(), trigger_text(&s))),
            _ => None,
        };
        let at = if state == "running" {
            &t["started_at"]
        } else {
            &t["finished_at"]
        };
        out.push(TaskRow {
            task: text(&t["task"]),
            label: text(&t["label"]),
            permissions: t["permissions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            enabled: t["enabled"] != false,
            state_label,
            class,
            message: text(&t["message"]),
            permission: text(&t["permission"]),
            when: when(at),
            counts: if state == "never" {
                String::new()
            } else {
                counts_text(&t["counts"])
            },
            duration: duration(t["duration_ms"].as_i64()),
            schedule,
            state,
        })
    }
    out
}

/// A connection's sync state at a glance: any task running, else the worst state of the
/// enabled tasks that ran, with how many share it and the latest finish time (while running:
/// when the running tasks started, not when an earlier run finished).
pub fn summary(tasks: &[Value]) -> (String, &'static str, String) {
    let state = |t: &Value| t["state"].as_str().unwrap_or("never").to_owned();
    let latest = |field: &str, of: &dyn Fn(&Value) -> bool| {
        tasks
            .iter()
            .filter(|t| of(t))
            .filter_map(|t| t[field].as_str())
            .max()
            .map(|s| when(&json!(s)))
            .unwrap_or_default()
    };
    if tasks.iter().any(|t| state(t) == "running") {
        let since = latest("started_at", &|t| state(t) == "running");
        let since = if since.is_empty() {
            since
        } else {
            format!("started {since}")
        };
        return ("Running".into(), "badge", since);
    }
    let latest = latest("finished_at", &|_| true);
    let ran: Vec<String> = tasks
        .iter()
        .filter(|t| t["enabled"] != false)
        .map(state)
        .filter(|s| s != "never")
        .collect();
    for worst in ["error", "warning", "success"] {
        let n = ran.iter().filter(|s| *s == worst).count();
        if n > 0 {
            let (label, class) = state_badge(worst);
            let text = if worst == "success" && n == ran.len() {
                label.to_owned()
            } else {
                format!("{label} · {n} of {} tasks", ran.len())
            };
            return (text, class, latest);
        }
    }
    ("Never synced".into(), "badge badge-muted", latest)
}

fn back(state: &WebState, id: &str, message: Flash) -> Response {
    session::redirect_with(
        &format!("/connections/{id}"),
        vec![session::flash_cookie(&[message], state.secure_cookies)],
    )
}

/// `POST /connections/{id}/sync` (`task` empty: every enabled task): queues a sync, or finds
/// the one already queued or running, and comes back to the connection, which follows it.
pub async fn sync(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Path(raw): Path<String>,
    Form(form): Form,
) -> WebResult<Response> {
    let id = entity_id(&raw)?;
    let task = form.get("task").trim();
    let body = if task.is_empty() {
        json!({})
    } else {
        json!({ "task": task })
    };
    let message = match discovery.sync_now(&auth.caller, id, &body).await {
        Ok((_, true)) if task.is_empty() => Flash::ok("Sync queued: every enabled task runs."),
        Ok((_, true)) => Flash::ok(format!("Sync of {task} queued.")),
        Ok((_, false)) => Flash::warn("A sync of this connection is already queued or running."),
        Err(CoreError::Invalid(e)) => {
            Flash::warn(e.first().map_or_else(String::new, |e| e.message.clone()))
        }
        Err(CoreError::BadRequest(m)) => Flash::warn(m),
        Err(e) => return Err(e.into()),
    };
    Ok(back(&state, &raw, message))
}

/// `POST /connections/{id}/tasks/{task}` (`enabled=true|false`): switches a task and its
/// schedule.
pub async fn switch(
    State(state): State<WebState>,
    auth: Authed,
    Discovery(discovery): Discovery,
    Path((raw, task)): Path<(String, String)>,
    Form(form): Form,
) -> WebResult<Response> {
    let id = entity_id(&raw)?;
    let on = form.get("enabled") == "true";
    discovery
        .update_task(&auth.caller, id, &task, &json!({ "enabled": on }))
        .await?;
    let text = if on {
        format!("{task} enabled.")
    } else {
        format!("{task} disabled: it no longer runs on its schedule or with \"Sync now\".")
    };
    Ok(back(&state, &raw, Flash::ok(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_what_changed() {
        let c = json!({"observed": 12, "created": 3, "updated": 0, "deactivated": 1});
        assert_eq!(counts_text(&c), "12 seen · 3 new · 1 gone");
        assert_eq!(counts_text(&json!({})), "");
    }

    #[test]
    fn the_summary_names_the_worst_state() {
        let t = |state: &str, enabled: bool| json!({"state": state, "enabled": enabled});
        assert_eq!(summary(&[t("never", true)]).0, "Never synced");
        assert_eq!(
            summary(&[t("success", true), t("success", true)]).0,
            "Success"
        );
        assert_eq!(
            summary(&[t("success", true), t("error", true), t("error", false)]).0,
            "Error · 1 of 2 tasks"
        );
        assert_eq!(
            summary(&[t("running", true), t("error", true)]).0,
            "Running"
        );
    }

    #[test]
    fn a_running_sync_shows_when_it_started_not_an_earlier_finish() {
        let tasks = [
            json!({"state": "running", "started_at": "2026-12-05T10:02:00Z", "finished_at": "2026-12-05T09:00:00Z"}),
            json!({"state": "success", "finished_at": "2026-12-05T09:30:00Z"}),
        ];
        assert_eq!(summary(&tasks).2, "started 2026-12-05 10:02 UTC");
        let done = [json!({"state": "success", "finished_at": "2026-12-05T09:30:00Z"})];
        assert_eq!(summary(&done).2, "2026-12-05 09:30 UTC");
    }
}
