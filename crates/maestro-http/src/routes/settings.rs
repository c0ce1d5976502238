//! Settings over HTTP: option lists, regions and zones.

use axum::Json;
use axum::extract::State;
use serde_json::Value;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, PathParams, QueryPairs};

pub async fn list(State(s): State<AppState>, _auth: Auth) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.list_settings().await?))
}

pub async fn get(State(s): State<AppState>, _auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    Ok(Json(s.core.get_setting(p.get(0)).await?))
}

pub async fn put(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        s.core.put_setting(&auth.caller, p.get(0), &body).await?,
    ))
}

pub async fn history(
    State(s): State<AppState>,
    _auth: Auth,
    p: PathParams,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(crate::routes::page_json(
        s.core.setting_history(p.get(0), &q).await?,
    ))
}
