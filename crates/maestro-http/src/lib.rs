//! Maestro's REST API: the axum router under `/api/v1`, its extractors, the problem+json error
//! mapping and the generated OpenAPI document. Handlers are thin: extract, call one `Core`
//! method, answer.

pub mod error;
pub mod extract;
pub mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use maestro_core::Core;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::routes::{auth, inventory, meta, openapi, settings};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub version: &'static str,
}

/// The API router (mounted at the root: it owns `/api/v1`, `/healthz` and `/readyz`).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/settings", get(settings::list))
        .route("/settings/{key}", get(settings::get).put(settings::put))
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
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
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
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "this route does not accept that method",
    )
}
