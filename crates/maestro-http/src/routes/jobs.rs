//! Jobs over HTTP: list (`?status=&module=&schedule=`), read (progress, result, error, log
//! lines) and cancel. Thin handlers over [`maestro_core::jobs::Jobs`].

use axum::Json;
use axum::extract::State;
use maestro_core::jobs::{JobId, Jobs};
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, PathParams, QueryPairs};

/// The jobs service, when this server runs one.
pub(crate) fn service(s: &AppState) -> ApiResult<&Jobs> {
    s.jobs
        .as_ref()
        .ok_or_else(|| ApiError::not_found("jobs are not available on this server"))
}

/// An id from the path; a malformed one is a 400.
pub(crate) fn path_id<T>(raw: &str) -> ApiResult<maestro_model::Id<T>> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "{:?} is not a valid id",
            raw.chars().take(64).collect::<String>()
        ))
    })
}

pub async fn list(
    State(s): State<AppState>,
    auth: Auth,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    let page = service(&s)?.list_jobs(&auth.caller, &q).await?;
    Ok(Json(serde_json::to_value(page).unwrap_or_default()))
}

pub async fn get(State(s): State<AppState>, auth: Auth, p: PathParams) -> ApiResult<Json<Value>> {
    let id: JobId = path_id(p.get(0))?;
    Ok(Json(service(&s)?.get_job(&auth.caller, id).await?))
}

pub async fn cancel(
    State(s): State<AppState>,
    auth: Auth,
    p: PathParams,
) -> ApiResult<Json<Value>> {
    let id: JobId = path_id(p.get(0))?;
    Ok(Json(service(&s)?.cancel_job(&auth.caller, id).await?))
}
