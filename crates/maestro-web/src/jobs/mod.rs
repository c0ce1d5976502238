//! Background work in the UI: the schedules list (with an enabled toggle) and form, the jobs
//! list with live progress, and a job's page with its logs. Handlers call the jobs service,
//! which the application adds to every request (an `Extension`); `assets/live.js` turns the
//! event stream into toasts and live progress.

mod form;
mod pages;
mod schedules;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use maestro_core::jobs::Jobs;
use serde_json::Value;

use crate::WebState;
use crate::error::WebError;

/// The jobs service of this server.
pub struct JobsService(pub Jobs);

impl<S: Send + Sync> FromRequestParts<S> for JobsService {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<Jobs>()
            .cloned()
            .map(JobsService)
            .ok_or_else(|| WebError::NotFound("Jobs are not available on this server.".into()))
    }
}

/// The pages of schedules and jobs.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/schedules", get(schedules::index).post(schedules::create))
        .route("/schedules/new", get(schedules::new_page))
        .route(
            "/schedules/{id}",
            get(schedules::edit_page).post(schedules::update),
        )
        .route("/schedules/{id}/toggle", post(schedules::toggle))
        .route("/schedules/{id}/run", post(schedules::run))
        .route("/schedules/{id}/delete", post(schedules::delete))
        .route("/jobs", get(pages::index))
        .route("/jobs/{id}", get(pages::job))
        .route("/jobs/{id}/cancel", post(pages::cancel))
}

/// `2026-11-27T10:32:05.123Z` → `2026-11-27 10:32:05`.
pub fn when(v: &Value) -> String {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// How a schedule's trigger reads: `every 30 seconds`, `0 11 * * * (Europe/Paris)`.
pub fn trigger_text(s: &Value) -> String {
    match s["cron"].as_str() {
        Some(c) => format!("{c} ({})", s["timezone"].as_str().unwrap_or("UTC")),
        None => maestro_core::jobs::interval_text(
            &s["interval"]["every"],
            s["interval"]["period"].as_str().unwrap_or_default(),
        ),
    }
}

/// A job's attempts so far against its maximum: `2 of 3`.
pub fn attempts(j: &Value) -> String {
    format!("{} of {}", j["attempt"], j["max_attempts"])
}

/// At most `n` characters of `text` (an ellipsis marks the cut); lists show the whole in a title.
pub fn short(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The badge class of a job or run status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "succeeded" => "badge badge-ok",
        "failed" => "badge badge-error",
        "cancelled" => "badge badge-muted",
        _ => "badge",
    }
}
