//! Job pages: the list (status filter, live progress) and a job with its progress, result,
//! error and log lines, and a cancel button while it is not over.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maestro_core::jobs::JobId;
use serde_json::Value;

use super::{JobsService, status_class, when};
use crate::WebState;
use crate::chrome::{Authed, Chrome, render};
use crate::error::{WebError, WebResult};
use crate::pager::Pager;
use crate::session::{self, Flash};

const STATUSES: [&str; 5] = ["queued", "running", "succeeded", "failed", "cancelled"];

pub struct JobRow {
    pub id: String,
    pub name: String,
    pub module: String,
    pub status: String,
    pub class: &'static str,
    pub progress: u64,
    pub attempt: String,
    pub created: String,
    pub error: String,
    pub error_short: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<JobRow>,
    status: String,
    statuses: [&'static str; 5],
    total: u64,
    pager: Pager,
}

/// Jobs per page of the list.
const PER_PAGE: u32 = 100;

pub struct Line {
    pub at: String,
    pub level: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    chrome: Chrome,
    job: JobRow,
    over: bool,
    schedule: Option<String>,
    facts: Vec<(&'static str, String)>,
    result: String,
    /// A discovery sync's connection and tasks, shown instead of the result's JSON.
    sync: Option<crate::discovery::SyncOutcome>,
    params: String,
    logs: Vec<Line>,
}

fn row(j: &Value) -> JobRow {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let status = text(&j["status"]);
    JobRow {
        id: text(&j["id"]),
        name: text(&j["name"]),
        module: text(&j["module"]),
        class: status_class(&status),
        status,
        progress: j["progress"].as_u64().unwrap_or(0),
        attempt: super::attempts(j),
        created: when(&j["created_at"]),
        error_short: super::short(j["error"].as_str().unwrap_or_default(), 80),
        error: text(&j["error"]),
    }
}

fn pretty(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// `GET /jobs?status=…`.
pub async fn index(
    auth: Authed,
    JobsService(jobs): JobsService,
    Query(query): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let status = query
        .get("status")
        .filter(|s| STATUSES.contains(&s.as_str()))
        .cloned()
        .unwrap_or_default();
    let number = crate::pager::requested(&query);
    let mut pairs = vec![
        ("limit".to_owned(), PER_PAGE.to_string()),
        ("page".to_owned(), number.to_string()),
    ];
    if !status.is_empty() {
        pairs.push(("status".into(), status.clone()));
    }
    let page = jobs.list_jobs(&auth.caller, &pairs).await?;
    let filter = if status.is_empty() {
        String::new()
    } else {
        format!("status={status}&")
    };
    let pager = Pager::new(number, page.total, PER_PAGE, |n| {
        format!("/jobs?{filter}page={n}")
    })
    .newest_first();
    render(&ListPage {
        chrome: auth.chrome.clone().with_title("Jobs", "jobs"),
        rows: page.items.iter().map(row).collect(),
        pager,
        status,
        statuses: STATUSES,
        total: page.total,
    })
}

fn job_id(raw: &str) -> WebResult<JobId> {
    raw.parse()
        .map_err(|_| WebError::NotFound("There is no such job.".into()))
}

/// `GET /jobs/{id}`.
pub async fn job(
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let j = jobs.get_job(&auth.caller, job_id(&id)?).await?;
    let status = j["status"].as_str().unwrap_or_default();
    let facts = vec![
        ("Scheduled for", when(&j["scheduled_for"])),
        ("Queued", when(&j["created_at"])),
        ("Started", when(&j["started_at"])),
        ("Finished", when(&j["finished_at"])),
        (
            "Next attempt",
            if status == "queued" {
                when(&j["run_at"])
            } else {
                String::new()
            },
        ),
    ];
    let logs = j["logs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| Line {
            at: when(&l["at"]),
            level: l["level"].as_str().unwrap_or_default().to_owned(),
            message: l["message"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    render(&JobPage {
        chrome: auth.chrome.clone().with_title(
            format!("Job {}", j["name"].as_str().unwrap_or_default()),
            "jobs",
        ),
        over: matches!(status, "succeeded" | "failed" | "cancelled"),
        schedule: j["schedule"].as_str().map(str::to_owned),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        result: pretty(&j["result"]),
        sync: crate::discovery::sync_outcome(&j),
        params: pretty(&j["params"]),
        job: row(&j),
        logs,
    })
}

/// `POST /jobs/{id}/cancel`.
pub async fn cancel(
    State(state): State<WebState>,
    auth: Authed,
    JobsService(jobs): JobsService,
    Path(id): Path<String>,
) -> WebResult<Response> {
    jobs.cancel_job(&auth.caller, job_id(&id)?).await?;
    Ok(session::redirect_with(
        &format!("/jobs/{id}"),
        vec![session::flash_cookie(
            &[Flash::ok("Cancel requested.")],
            state.secure_cookies,
        )],
    ))
}
