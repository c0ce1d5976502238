//! Unauthenticated operational routes: version, liveness and readiness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Auth;

pub async fn version(State(s): State<AppState>) -> Json<Value> {
    Json(json!({
        "name": "maestro",
        "version": s.version,
        "backend": s.core.store.backend(),
    }))
}

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    s.core.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            "the database is unreachable",
        )
    })?;
    Ok(Json(
        json!({"status": "ready", "database": s.core.store.backend()}),
    ))
}

/// Totals, newest servers and applications, and duplicate hostnames/IPs for the caller.
pub async fn dashboard(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.dashboard(&auth.caller).await?))
}
