//! Maestro's REST API: the axum router under `/api/v1`, its extractors, the problem+json error
//! mapping and the generated OpenAPI document. Handlers are thin: extract, call one `Core`
//! method, answer.

pub mod error;
pub mod extract;
pub mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use maestro_core::Core;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::routes::{
    auth, discovery, events, inventory, jobs, meta, openapi, schedules, settings, teams, users,
};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Largest accepted upload (avatars); the domain refuses anything over 5 MiB with a clear error.
pub const UPLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub version: &'static str,
    /// Jobs, schedules and live events (None: those routes answer 404).
    pub jobs: Option<maestro_core::jobs::Jobs>,
    /// Discovery (None: sync and task routes answer 404).
    pub discovery: Option<maestro_core::discovery::DiscoveryService>,
}

/// The API router (mounted at the root: it owns `/api/v1`, `/healthz` and `/readyz`).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/renew", post(auth::renew))
        .route("/auth/forgot", post(auth::forgot))
        .route("/auth/reset", post(auth::reset))
        .route("/me", get(auth::me).patch(auth::update_me))
        .route("/me/password", put(auth::change_password))
        // Avatars read their body themselves, up to `UPLOAD_LIMIT` (`extract::Upload`).
        .route("/me/avatar", put(auth::put_avatar))
        .route("/me/tokens", get(auth::tokens).post(auth::create_token))
        .route("/me/tokens/{id}", delete(auth::revoke_token))
        .route("/users", get(users::list))
        .route("/users/{id}", get(users::get).patch(users::update))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/users/{id}/history", get(users::history))
        .route("/users/{id}/avatar", get(users::avatar))
        .route("/teams", get(teams::list).post(teams::create))
        .route(
            "/teams/{id}",
            get(teams::get).patch(teams::update).delete(teams::delete),
        )
        .route(
            "/teams/{id}/members",
            get(teams::members).post(teams::add_member),
        )
        .route("/teams/{id}/members/{user}", delete(teams::remove_member))
        .route("/teams/{id}/history", get(teams::history))
        .route(
            "/teams/{id}/avatar",
            get(teams::avatar).put(teams::put_avatar),
        )
        .route("/teams/{id}/{collection}", post(teams::create_entity))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/jobs/{id}/cancel", post(jobs::cancel))
        .route("/schedules", get(schedules::list).post(schedules::create))
        .route(
            "/schedules/{id}",
            get(schedules::get)
                .patch(schedules::patch)
                .delete(schedules::delete),
        )
        .route("/schedules/{id}/run", post(schedules::run))
        .route("/schedules/{id}/history", get(schedules::history))
        .route("/events", get(events::stream))
        .route("/discovery/providers", get(discovery::providers))
        .route("/settings", get(settings::list))
        .route("/settings/{key}", get(settings::get).put(settings::put))
        .route("/settings/{key}/history", get(settings::history))
        .route("/openapi.json", get(openapi::document))
        .route("/version", get(meta::version))
        .route("/dashboard", get(meta::dashboard))
        .route(
            "/{collection}",
            get(inventory::list).post(inventory::create),
        )
        .route(
            "/{collection}/{id}",
            get(inventory::get)
                .patch(inventory::patch)
                .delete(inventory::delete),
        )
        .route("/{collection}/{id}/restore", post(inventory::restore))
        .route("/{collection}/{id}/history", get(inventory::history))
        .route("/{collection}/{id}/relations", get(inventory::relations))
        .route("/{collection}/{id}/sync", post(discovery::sync))
        .route("/{collection}/{id}/tasks", get(discovery::tasks))
        .route(
            "/{collection}/{id}/tasks/{task}",
            axum::routing::patch(discovery::update_task),
        )
        .route(
            "/{collection}/{id}/grants",
            get(inventory::grants).put(inventory::put_grants),
        )
        .route(
            "/{collection}/{id}/owner",
            axum::routing::put(inventory::put_owner),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        // The API's root (which `nest` leaves to the UI) answers as the API does.
        .route("/api/v1", axum::routing::any(not_found))
        .route("/api/v1/", axum::routing::any(not_found))
        .route("/healthz", get(meta::healthz))
        .route("/readyz", get(meta::readyz))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "an internal error occurred",
            ))
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route (every route is in /api/v1/openapi.json)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "this route does not accept that method",
    )
}
