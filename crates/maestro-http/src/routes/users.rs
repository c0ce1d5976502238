//! Accounts seen by others: administrators list, promote, disable and reset them; anyone can
//! look one up by exact e-mail to share with it, and see avatars.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maestro_model::UserId;
use serde_json::Value;

use super::auth::png;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, JsonBody, PathParams, QueryPairs};

fn user_id(p: &PathParams) -> ApiResult<UserId> {
    p.get(0)
        .parse()
        .map_err(|_| ApiError::bad_request("not a valid account id"))
}

pub async fn list(
    State(s): State<AppState>,
    auth: Auth,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let page = s.core.list_users(&auth.caller, &q).await?;
    Ok(Json(serde_json::to_value(page).unwrap_or_default()))
}

pub async fn get(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.get_user(&auth.caller, user_id(&p)?).await?))
}

pub async fn update(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        s.core
            .update_user(&auth.caller, user_id(&p)?, &body)
            .await?,
    ))
}

pub async fn reset_password(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<StatusCode> {
    s.core
        .admin_reset_password(&auth.caller, user_id(&p)?, &body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn history(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let page = s.core.user_history(&auth.caller, user_id(&p)?, &q).await?;
    Ok(Json(serde_json::to_value(page).unwrap_or_default()))
}

pub async fn avatar(State(s): State<AppState>, _auth: Auth, p: PathParams) -> ApiResult<Response> {
    Ok(png(s.core.user_avatar(user_id(&p)?).await?))
}
