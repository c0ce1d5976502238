//! Accounts over HTTP: register, login, logout and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody};

pub async fn register(State(s): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let user = s.core.register(&body).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

pub async fn login(State(s): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let token = s.core.login(&body).await?;
    Ok(Json(serde_json::to_value(token).unwrap_or_default()))
}

pub async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    s.core.logout(auth.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.me(&auth.caller).await?))
}
