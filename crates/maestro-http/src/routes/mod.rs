//! Route handlers, one module per resource.

pub mod auth;
pub mod discovery;
pub mod events;
pub mod inventory;
pub mod jobs;
pub mod meta;
pub mod openapi;
pub mod openapi_discovery;
pub mod openapi_identity;
pub mod openapi_jobs;
pub mod schedules;
pub mod settings;
pub mod teams;
pub mod users;

/// A page of results (`{items, total, page, limit}`) as the JSON answer.
pub(crate) fn page_json<T: serde::Serialize>(page: T) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::to_value(page).unwrap_or_default())
}
