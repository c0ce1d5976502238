//! Schedule pages: the list (enabled toggle, name, module, method, endpoint, interval or cron,
//! max executions, run count, last run), the create and edit form, run now and delete.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maestro_core::CoreError;
use maestro_core::jobs::webhook::METHODS;
use maestro_core::jobs::{Jobs, ScheduleId};
use maestro_model::schema::Collection;
use maestro_model::{FieldError, Role};
use serde_json::{Value, json};

use super::form::{ScheduleForm, merge_diff};
use super::{JobsService, short, status_class, trigger_text, when};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::{WebError, WebResult};
use crate::session::{self, Flash, Form};

const PERIODS: [&str; 5] = ["seconds", "minutes", "hours", "days", "weeks"];

pub struct Row {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub module: String,
    pub method: String,
    pub endpoint: String,
    pub trigger: String,
    pub max_executions: String,
    pub run_count: String,
    pub last_run: String,
    pub last_status: String,
    pub last_class: &'static str,
    pub last_error: String,
    pub last_error_short: String,
    pub next_run: String,
}

#[derive(Template)]
#[template(path = "schedules.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    q: String,
    total: u64,
}

/// A recent run on the schedule's page.
pub struct Run {
    pub id: String,
    pub status: String,
    pub class: &'static str,
    pub when: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "schedule_form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    id: Option<String>,
    form: ScheduleForm,
    modules: Vec<(&'static str, &'static str)>,
    periods: [&'static str; 5],
    methods: [&'static str; 6],
    /// Other schedules this one can chain: (id, name).
    others: Vec<(String, String)>,
    /// The caller may change and run it (a new one: yes); `can_delete`, delete it.
    can_write: bool,
    can_delete: bool,
    runs: Vec<Run>,
    /// Run count, last and next run, last error (edit page).
    facts: Vec<(&'static str, String)>,
    /// The name of a discovery schedule's connection, when the caller may read it.
    connection_name: Option<String>,
}

fn schedule_id(raw: &str) -> WebResult<ScheduleId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such schedule.".into()))
}

fn row(s: &Value) -> Row {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let last_status = text(&s["last_status"]);
    Row {
        id: text(&s["id"]),
        name: text(&s["name"]),
        enabled: s["enabled"] == true,
        module: text(&s["module"]),
        method: text(&s["method"]),
        endpoint: text(&s["url"]),
        trigger: trigger_text(s),
        max_executions: match s["max_executions"].as_u64() {
            Some(0) | None => "∞".into(),
            Some(n) => n.to_string(),
        },
        run_count: s["run_count"].to_string(),
        last_run: when(&s["last_run_at"]),
        last_class: status_class(&last_status),
        last_status,
        last_error: text(&s["last_error"]),
        last_error_short: short(s["last_error"].as_str().unwrap_or_default(), 60),
        // A disabled schedule keeps its next time, but will not run then; one that used up
        // its runs has none.
        next_run: if exhausted(s) {
            "none (max reached)".into()
        } else if s["enabled"] == true {
            when(&s["next_run_at"])
        } else {
            String::new()
        },
    }
}

/// Whether a schedule ran as many times as its Max executions allows.
fn exhausted(s: &Value) -> bool {
    let max = s["max_executions"].as_u64().unwrap_or(0);
    max > 0 && s["run_count"].as_u64().unwrap_or(0) >= max
}

/// `GET /schedules?q=…`.
pub async fn index(
    auth: Authed,
    JobsService(jobs): JobsService,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let q = query.get("q").cloned().unwrap_or_default();
    let mut pairs = vec![("limit".to_owned(), "500".to_owned())];
    if !q.trim().is_empty() {
        pairs.push(("q".into(), q.clone()));
    }
    let page = jobs.list_schedules(&auth.caller, &pairs).await?;
    render(&ListPage {
        chrome: auth.chrome.clone().with_title("Schedules", "schedules"),
        rows: page.items.iter().map(row).collect(),
        q,
        total: page.total,
    })
}

async fn form_page(
    state: &WebState,
    jobs: &Jobs,
    auth: &Authed,
    id: Option<ScheduleId>,
    form: ScheduleForm,
    status: StatusCode,
) -> WebResult<Response> {
    let all = jobs
        .list_schedules(&auth.caller, &[("limit".into(), "500".into())])
        .await?;
    let mine = id.map(|i| i.to_string());
    let others = all
        .items
        .iter()
        .filter(|s| s["id"].as_str() != mine.as_deref())
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_owned(),
                s["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let (mut runs, mut facts) = (Vec::new(), Vec::new());
    let role = match id {
        Some(id) => jobs.visible_schedule(&auth.caller, id).await?.1,
        None => Role::Admin,
    };
    if let Some(id) = id {
        let s = jobs.get_schedule(&auth.caller, id).await?;
        let max = s["max_executions"].as_u64().unwrap_or(0);
        let runs_done = s["run_count"].as_u64().unwrap_or(0);
        let count = if max > 0 {
            format!("{runs_done} of {max}")
        } else {
            runs_done.to_string()
        };
        // A schedule that used up its runs has no next one: say why, and how to resume it.
        let next = if exhausted(&s) {
            "none: Max executions reached (raise it to resume)".to_owned()
        } else {
            when(&s["next_run_at"])
        };
        facts = vec![
            ("Scheduled runs", count),
            ("Last run", when(&s["last_run_at"])),
            (
                "Last status",
                s["last_status"].as_str().unwrap_or("—").to_owned(),
            ),
            ("Next run", next),
            (
                "Last error",
                s["last_error"].as_str().unwrap_or_default().to_owned(),
            ),
            (
                "Owner",
                s["owner"]["name"].as_str().unwrap_or_default().to_owned(),
            ),
        ];
        let recent = jobs
            .list_jobs(
                &auth.caller,
                &[
                    ("schedule".into(), id.to_string()),
                    ("limit".into(), "10".into()),
                ],
            )
            .await?;
        runs = recent
            .items
            .iter()
            .map(|j| {
                let status = j["status"].as_str().unwrap_or_default().to_owned();
                Run {
                    id: j["id"].as_str().unwrap_or_default().to_owned(),
                    class: status_class(&status),
                    status,
                    when: when(&j["created_at"]),
                    error: j["error"].as_str().unwrap_or_default().to_owned(),
                }
            })
            .collect();
    }
    let connection_name = match form.connection.parse() {
        Ok(cid) if form.module == "discovery" => state
            .core
            .get_entity(&auth.caller, Collection::Connections, cid)
            .await
            .ok()
            .and_then(|c| c["name"].as_str().map(str::to_owned)),
        _ => None,
    };
    let heading = match id {
        Some(_) => format!("Schedule {}", form.name),
        None => "New schedule".into(),
    };
    let mut res = render(&FormPage {
        chrome: auth.chrome.clone().with_title(heading.clone(), "schedules"),
        heading,
        action: mine
            .as_ref()
            .map_or("/schedules".into(), |i| format!("/schedules/{i}")),
        id: mine,
        form,
        modules: jobs.modules(),
        periods: PERIODS,
        methods: METHODS,
        others,
        can_write: role >= Role::Write,
        can_delete: role >= Role::Admin,
        runs,
        facts,
        connection_name,
    })?;
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /schedules/new`.
pub async fn new_page(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
) -> WebResult<Response> {
    form_page(
        &state,
        &jobs,
        &auth,
        None,
        ScheduleForm::blank(),
        StatusCode::OK,
    )
    .await
}

/// `GET /schedules/{id}`.
pub async fn edit_page(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = schedule_id(&id)?;
    let s = jobs.get_schedule(&auth.caller, id).await?;
    form_page(
        &state,
        &jobs,
        &auth,
        Some(id),
        ScheduleForm::from_json(&s),
        StatusCode::OK,
    )
    .await
}

fn back_to(state: &WebState, to: &str, message: Flash) -> Response {
    session::redirect_with(
        to,
        vec![session::flash_cookie(&[message], state.secure_cookies)],
    )
}

/// Re-shows the form with the service's field errors; other errors go up.
async fn refused(
    state: &WebState,
    jobs: &Jobs,
    auth: &Authed,
    id: Option<ScheduleId>,
    mut form: ScheduleForm,
    errors: Result<Vec<FieldError>, CoreError>,
) -> WebResult<Response> {
    match errors {
        Ok(errors) | Err(CoreError::Invalid(errors)) => {
            form.errors = errors;
            form_page(state, jobs, auth, id, form, StatusCode::BAD_REQUEST).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /schedules`.
pub async fn create(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Form(data): Form,
) -> WebResult<Response> {
    let form = ScheduleForm::from_form(&data);
    let body = match form.to_json() {
        Ok(b) => b,
        Err(errors) => return refused(&state, &jobs, &auth, None, form, Ok(errors)).await,
    };
    match jobs.create_schedule(&auth.caller, &body).await {
        Ok(s) => Ok(back_to(
            &state,
            &format!("/schedules/{}", s["id"].as_str().unwrap_or_default()),
            Flash::ok("Schedule created."),
        )),
        Err(e) => refused(&state, &jobs, &auth, None, form, Err(e)).await,
    }
}

/// `POST /schedules/{id}`: the form becomes a merge patch of what changed.
pub async fn update(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
    Form(data): Form,
) -> WebResult<Response> {
    let id = schedule_id(&id)?;
    let current = jobs.get_schedule(&auth.caller, id).await?;
    let form = ScheduleForm::from_form(&data);
    let desired = match form.to_json() {
        Ok(b) => b,
        Err(errors) => return refused(&state, &jobs, &auth, Some(id), form, Ok(errors)).await,
    };
    let patch = merge_diff(&current, &desired);
    match jobs.update_schedule(&auth.caller, id, &patch).await {
        Ok(_) => Ok(back_to(
            &state,
            &format!("/schedules/{id}"),
            Flash::ok("Schedule saved."),
        )),
        Err(e) => refused(&state, &jobs, &auth, Some(id), form, Err(e)).await,
    }
}

/// `POST /schedules/{id}/toggle`: enables or disables, back to where it was clicked.
pub async fn toggle(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
    Form(data): Form,
) -> WebResult<Response> {
    let id = schedule_id(&id)?;
    let current = jobs.get_schedule(&auth.caller, id).await?;
    let on = current["enabled"] != true;
    jobs.update_schedule(&auth.caller, id, &json!({"enabled": on}))
        .await?;
    let back = session::safe_path(data.get("back")).unwrap_or_else(|| "/schedules".into());
    let name = current["name"].as_str().unwrap_or_default();
    let text = if on {
        format!("{name} enabled.")
    } else {
        format!("{name} disabled.")
    };
    Ok(back_to(&state, &back, Flash::ok(text)))
}

/// `POST /schedules/{id}/run`: queues a run now and shows its job.
pub async fn run(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let job = jobs.run_schedule(&auth.caller, schedule_id(&id)?).await?;
    let to = format!("/jobs/{}", job["id"].as_str().unwrap_or_default());
    Ok(back_to(&state, &to, Flash::ok("Run queued.")))
}

/// `POST /schedules/{id}/delete`.
pub async fn delete(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
) -> WebResult<Response> {
    jobs.delete_schedule(&auth.caller, schedule_id(&id)?)
        .await?;
    Ok(back_to(
        &state,
        "/schedules",
        Flash::ok("Schedule deleted."),
    ))
}
