//! Discovery in the UI (issue 6): the connections list, a connection's page (provider fields,
//! the task table with switches, states, permissions and "Sync", the read-only IAM policy for
//! AWS, the Keystone fields for OpenStack, the running sync), the create and edit forms
//! (credentials write-only, a provider switch), and where a discovered entity comes from.
//!
//! Handlers call the inventory (`Core`) for the connection itself and the discovery service for
//! tasks and syncs; the application adds that service to every request (an `Extension`), as it
//! does the jobs service. The static `/connections…` routes win over the generic
//! `/{collection}…` ones; delete, restore and access stay generic.
//!
//! | Route | Service |
//! |---|---|
//! | `GET /connections` | `list_entities`, `DiscoveryService::tasks` (last sync state) |
//! | `GET /connections/{id}` | `get_entity`, `tasks`, `list_jobs` (running sync), `entity_history` |
//! | `GET /connections/new`, `POST /connections` | `create_entity` |
//! | `GET /connections/{id}/edit`, `POST /connections/{id}` | `patch_entity` |
//! | `POST /connections/{id}/sync` (`task` optional) | `sync_now` |
//! | `POST /connections/{id}/tasks/{task}` (`enabled`) | `update_task` |

mod console;
mod edit;
mod form;
mod list;
mod options;
mod outcome;
mod page;
mod provenance;
mod tasks;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use maestro_core::discovery::DiscoveryService;

pub use console::console_url;
pub use outcome::{SyncOutcome, of_job as sync_outcome};
pub use provenance::{Provenance, provenance};

use crate::WebState;
use crate::error::WebError;

/// The discovery service of this server.
pub struct Discovery(pub DiscoveryService);

impl<S: Send + Sync> FromRequestParts<S> for Discovery {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebError> {
        parts
            .extensions
            .get::<DiscoveryService>()
            .cloned()
            .map(Discovery)
            .ok_or_else(|| WebError::NotFound("Discovery is not available on this server.".into()))
    }
}

/// The connection pages.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/connections", get(list::index).post(edit::create))
        .route("/connections/new", get(edit::new_page))
        .route("/connections/{id}", get(page::show).post(edit::update))
        .route("/connections/{id}/edit", get(edit::edit_page))
        .route("/connections/{id}/sync", post(tasks::sync))
        .route("/connections/{id}/tasks/{task}", post(tasks::switch))
}

/// How a provider is called on pages.
pub fn provider_label(provider: &str) -> &'static str {
    match provider {
        "aws" => "AWS",
        "openstack" => "OpenStack",
        _ => "Unknown provider",
    }
}

/// The label and badge class of a task state.
pub fn state_badge(state: &str) -> (&'static str, &'static str) {
    match state {
        "success" => ("Success", "badge badge-ok"),
        "warning" => ("Warning", "badge badge-warn"),
        "error" => ("Error", "badge badge-error"),
        "running" => ("Running", "badge"),
        _ => ("Never", "badge badge-muted"),
    }
}

/// The read-only IAM policy a provider's tasks need, as text to copy.
pub fn iam_policy(discovery: &DiscoveryService, provider: &str) -> String {
    let policy = maestro_core::discovery::iam_policy(discovery.discovery.tasks(provider));
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}

/// `1234` ms → `1.2 s`; minutes past a minute.
pub fn duration(ms: Option<i64>) -> String {
    match ms {
        None => String::new(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Some(850)), "850 ms");
        assert_eq!(duration(Some(12_340)), "12.3 s");
        assert_eq!(duration(Some(125_000)), "2 min 5 s");
        assert_eq!(duration(None), "");
    }
}
