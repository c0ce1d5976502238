//! Accounts over HTTP: register, login, renew, logout, forgotten passwords, and the caller's
//! own account (profile, password, avatar, API tokens).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, ClientAddr, JsonBody, PathParams, Upload};

pub async fn register(State(s): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let user = s.core.register(&body).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

pub async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let token = s.core.login_from(&body, addr).await?;
    Ok(Json(serde_json::to_value(token).unwrap_or_default()))
}

pub async fn renew(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    let token = s.core.renew_session(&auth.caller, auth.session).await?;
    Ok(Json(serde_json::to_value(token).unwrap_or_default()))
}

pub async fn logout(State(s): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    s.core.logout(auth.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Always 202: whether the account exists is not revealed.
pub async fn forgot(State(s): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<StatusCode> {
    s.core.forgot_password(&body).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn reset(State(s): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<StatusCode> {
    s.core.reset_password(&body).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.me(&auth.caller).await?))
}

pub async fn update_me(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.update_me(&auth.caller, &body).await?))
}

pub async fn change_password(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    s.core
        .change_password(&auth.caller, Some(auth.session), &body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn put_avatar(
    State(s): State<AppState>,
    auth: Auth,
    Upload(bytes): Upload,
) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.set_my_avatar(&auth.caller, &bytes).await?))
}

pub async fn tokens(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.list_api_tokens(&auth.caller).await?))
}

pub async fn create_token(
    State(s): State<AppState>,
    auth: Auth,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let token = s
        .core
        .create_api_token(&auth.caller, auth.session, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(token)).into_response())
}

pub async fn revoke_token(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
) -> ApiResult<StatusCode> {
    let id = uuid::Uuid::try_parse(p.get(0))
        .map_err(|_| crate::error::ApiError::bad_request("not a valid token id"))?;
    s.core.revoke_api_token(&auth.caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A PNG answer, cacheable privately.
pub(crate) fn png(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        bytes,
    )
        .into_response()
}
